namespace Acme.Tasks.Email;

/// <summary>SMTP settings, bound from <c>Mail</c> (e.g. <c>Mail__Host</c> in the pod's environment, the password from a Secret).</summary>
public sealed class MailOptions
{
    public const string Section = "Mail";

    public string From { get; set; } = "noreply@example.com";
    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    public bool EnableSsl { get; set; } = true;
    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>Write each message as an .eml file here instead of sending it (local runs and tests).</summary>
    public string? PickupDirectory { get; set; }
}
