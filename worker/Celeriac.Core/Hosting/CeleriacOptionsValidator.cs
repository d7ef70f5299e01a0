namespace Celeriac.Hosting;

/// <summary>The rules of the <c>Celeriac</c> section itself: declared queues, routes and the enqueue batch.</summary>
public sealed class CeleriacOptionsValidator() : OptionsSectionValidator<CeleriacOptions>("")
{
    protected override void Check(CeleriacOptions options, OptionsCheck check)
    {
        check.Positive(options.EnqueueBatchSize, nameof(options.EnqueueBatchSize));
        for (var i = 0; i < options.Queues.Count; i++)
        {
            check.Required(options.Queues[i].Name, $"{nameof(options.Queues)}:{i}:{nameof(QueueDefinition.Name)}");
            if (!QueueProtocols.IsKnown(options.Queues[i].Protocol))
                check.Fail($"{nameof(options.Queues)}:{i}:{nameof(QueueDefinition.Protocol)}",
                    $"must be '{QueueProtocols.Celeriac}' or '{QueueProtocols.Celery}' (was '{options.Queues[i].Protocol}').");
        }
        var duplicates = options.Queues.GroupBy(q => q.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0) check.Fail(nameof(options.Queues), $"has duplicate names: {string.Join(", ", duplicates)}.");
        for (var i = 0; i < options.Routes.Count; i++)
        {
            check.Required(options.Routes[i].Pattern, $"{nameof(options.Routes)}:{i}:{nameof(Routing.TaskRoute.Pattern)}");
            check.Required(options.Routes[i].Queue, $"{nameof(options.Routes)}:{i}:{nameof(Routing.TaskRoute.Queue)}");
        }
    }
}
