using System.Globalization;

namespace Celeriac.Scheduling;

/// <summary>
/// A standard five-field cron expression (minute hour day-of-month month day-of-week) with Vixie cron and
/// Kubernetes CronJob semantics: lists, ranges, steps, JAN-DEC and SUN-SAT names, 0 and 7 for Sunday, and
/// day-of-month OR day-of-week when both are restricted (a field counts as unrestricted when it starts with '*').
/// Macros: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.
/// </summary>
public sealed class CronExpression
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
        ["@monthly"] = "0 0 1 * *",
        ["@weekly"] = "0 0 * * 0",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@hourly"] = "0 * * * *",
    };

    private readonly ulong _minutes;
    private readonly uint _hours;
    private readonly uint _daysOfMonth;
    private readonly ushort _months;
    private readonly byte _daysOfWeek;
    private readonly bool _dayOfMonthStar;
    private readonly bool _dayOfWeekStar;

    private CronExpression(string text, ulong minutes, uint hours, uint daysOfMonth, ushort months, byte daysOfWeek, bool domStar, bool dowStar)
    {
        Text = text;
        _minutes = minutes;
        _hours = hours;
        _daysOfMonth = daysOfMonth;
        _months = months;
        _daysOfWeek = daysOfWeek;
        _dayOfMonthStar = domStar;
        _dayOfWeekStar = dowStar;
    }

    public string Text { get; }

    public override string ToString() => Text;

    public static CronExpression Parse(string text)
    {
        if (!TryParse(text, out var expression, out var error)) throw new FormatException(error);
        return expression;
    }

    public static bool TryParse(string text, out CronExpression expression, out string error)
    {
        expression = null!;
        var trimmed = text.Trim();
        var expanded = Macros.TryGetValue(trimmed, out var macro) ? macro : trimmed;
        if (expanded.StartsWith('@'))
        {
            error = $"'{trimmed}' is not a known macro (use @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)";
            return false;
        }
        var fields = expanded.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            error = $"'{trimmed}' must have five fields (minute hour day-of-month month day-of-week), it has {fields.Length}";
            return false;
        }
        if (!TryField(fields[0], 0, 59, null, "minute", out var minutes, out error)
            || !TryField(fields[1], 0, 23, null, "hour", out var hours, out error)
            || !TryField(fields[2], 1, 31, null, "day-of-month", out var dom, out error)
            || !TryField(fields[3], 1, 12, MonthNames, "month", out var months, out error)
            || !TryField(fields[4], 0, 7, DayNames, "day-of-week", out var dow, out error))
        {
            return false;
        }
        // 7 is Sunday as well as 0.
        if ((dow & (1UL << 7)) != 0) dow = (dow | 1UL) & ~(1UL << 7);
        expression = new CronExpression(trimmed, minutes, (uint)hours, (uint)dom, (ushort)months, (byte)dow,
            fields[2].StartsWith('*'), fields[4].StartsWith('*'));
        error = "";
        return true;
    }

    /// <summary>Whether this local wall-clock minute is one of the expression's slots.</summary>
    public bool Matches(DateTime local) =>
        Has(_minutes, local.Minute) && Has(_hours, local.Hour) && Has(_months, local.Month) && DayMatches(local);

    /// <summary>The first matching wall-clock minute at or after <paramref name="local"/> (seconds ignored), or null within ten years.</summary>
    public DateTime? NextLocal(DateTime local)
    {
        var t = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified);
        if (local.Ticks % TimeSpan.TicksPerMinute != 0) t = t.AddMinutes(1);
        var limit = t.AddYears(10);
        while (t < limit)
        {
            if (!Has(_months, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(1);
                continue;
            }
            if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
                continue;
            }
            if (!Has(_hours, t.Hour))
            {
                t = t.Date.AddHours(t.Hour + 1);
                continue;
            }
            if (!Has(_minutes, t.Minute))
            {
                t = t.AddMinutes(1);
                continue;
            }
            return t;
        }
        return null;
    }

    /// <summary>
    /// The first instant strictly after <paramref name="after"/> at which the expression fires in <paramref name="zone"/>.
    /// A slot inside a spring-forward gap fires once, at the first instant after the gap; a slot inside a
    /// fall-back overlap fires once, at its first occurrence (cronie's behaviour for fixed-time jobs).
    /// </summary>
    public DateTimeOffset? Next(DateTimeOffset after, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var start = new DateTime(local.Year, local.Month, local.Day, local.Hour, local.Minute, 0, DateTimeKind.Unspecified).AddMinutes(1);
        while (NextLocal(start) is { } candidate)
        {
            var instant = ToInstant(candidate, zone);
            if (instant > after) return instant;
            start = candidate.AddMinutes(1);
        }
        return null;
    }

    /// <summary>The instant of a wall-clock time: after the gap when it does not exist, its first occurrence when it exists twice.</summary>
    internal static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        if (zone.IsInvalidTime(local))
        {
            var valid = local;
            // Gaps are whole minutes and at most a few hours long.
            for (var i = 0; i < 24 * 60 && zone.IsInvalidTime(valid); i++) valid = valid.AddMinutes(1);
            return new DateTimeOffset(valid, zone.GetUtcOffset(valid));
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            return new DateTimeOffset(local, offsets.Max());
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private bool DayMatches(DateTime t)
    {
        var dom = Has(_daysOfMonth, t.Day);
        var dow = Has(_daysOfWeek, (int)t.DayOfWeek);
        return _dayOfMonthStar || _dayOfWeekStar ? dom && dow : dom || dow;
    }

    private static bool Has(ulong bits, int value) => (bits & (1UL << value)) != 0;

    private static bool TryField(string field, int min, int max, string[]? names, string what, out ulong bits, out string error)
    {
        bits = 0;
        foreach (var part in field.Split(','))
        {
            if (part.Length == 0)
            {
                error = $"{what} field '{field}' has an empty list item";
                return false;
            }
            var range = part;
            var step = 1;
            var slash = part.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                range = part[..slash];
                if (!int.TryParse(part[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1 || step > max - min + 1)
                {
                    error = $"{what} field '{field}' has an invalid step";
                    return false;
                }
            }
            int low, high;
            if (range == "*")
            {
                (low, high) = (min, max);
                // '*' on the day of week means 0-6: 7 only repeats Sunday.
                if (names == DayNames) high = 6;
            }
            else
            {
                var dash = range.IndexOf('-', StringComparison.Ordinal);
                if (!TryValue(dash >= 0 ? range[..dash] : range, min, max, names, out low)
                    || !TryValue(dash >= 0 ? range[(dash + 1)..] : range, min, max, names, out high))
                {
                    error = $"{what} field '{field}' has a value outside {min}-{max}" + (names is null ? "" : $" or {names[0]}-{names[^1]}");
                    return false;
                }
                // "5/15" means from 5 to the end of the range in steps of 15, as in cronie and Kubernetes.
                if (dash < 0 && slash >= 0) high = names == DayNames ? 6 : max;
                if (low > high)
                {
                    error = $"{what} field '{field}' has a range that runs backwards";
                    return false;
                }
            }
            for (var v = low; v <= high; v += step) bits |= 1UL << v;
        }
        error = "";
        return true;
    }

    private static bool TryValue(string text, int min, int max, string[]? names, out int value)
    {
        if (names is not null)
        {
            var index = Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                value = index + (names == MonthNames ? 1 : 0);
                return true;
            }
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }
}
