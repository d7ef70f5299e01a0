using System.Diagnostics.Metrics;

namespace Celeriac.Prometheus.Tests;

public sealed class ExpositionFormatTests
{
    private static PrometheusCollector Collector(string meterName, Action<PrometheusExporterOptions>? configure = null)
    {
        var options = new PrometheusExporterOptions();
        options.MeterNames.Add(meterName);
        configure?.Invoke(options);
        return new PrometheusCollector(options);
    }

    // Each test has its own meter name: the listener sees every meter of the process.
    private static string UniqueMeterName() => "test." + Guid.NewGuid().ToString("N");

    [Fact]
    public void Counters_have_help_type_and_total_suffix()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("celeriac.tasks.received", description: "Task messages received");
        counter.Add(2, new KeyValuePair<string, object?>("task", "a"), new KeyValuePair<string, object?>("queue", "q"));
        counter.Add(3, new KeyValuePair<string, object?>("queue", "q"), new KeyValuePair<string, object?>("task", "a"));

        Assert.Equal(
            "# HELP celeriac_tasks_received_total Task messages received\n" +
            "# TYPE celeriac_tasks_received_total counter\n" +
            "celeriac_tasks_received_total{queue=\"q\",task=\"a\"} 5\n",
            collector.Collect());
    }

    [Fact]
    public void The_same_labels_make_one_series_whatever_the_tag_order_or_value_type()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("hits");
        counter.Add(1, new KeyValuePair<string, object?>("b.x", "1"), new KeyValuePair<string, object?>("a", 7));
        counter.Add(1, new KeyValuePair<string, object?>("a", "7"), new KeyValuePair<string, object?>("b_x", "1"));
        counter.Add(1, new KeyValuePair<string, object?>("b_x", "1"), new KeyValuePair<string, object?>("a", "7"));
        counter.Add(1, new KeyValuePair<string, object?>("a", null));

        var samples = collector.Collect().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(["hits_total{a=\"\"} 1", "hits_total{a=\"7\",b_x=\"1\"} 3"], samples);
    }

    [Fact]
    public void Recording_into_an_existing_series_with_string_tags_allocates_nothing()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var histogram = meter.CreateHistogram<double>("celeriac.task.duration", "s");
        var task = new KeyValuePair<string, object?>("task", "emails.send");
        var queue = new KeyValuePair<string, object?>("queue", "default");
        histogram.Record(0.1, task, queue);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) histogram.Record(0.1, task, queue);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // One allocation per measurement would be at least 24 KB here.
        Assert.True(allocated < 8 * 1024, $"{allocated} bytes for 1000 measurements");
        Assert.Contains("celeriac_task_duration_seconds_count{queue=\"default\",task=\"emails.send\"} 1001", collector.Collect());
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var gauge = meter.CreateUpDownCounter<int>("odd", description: "back\\slash and\nnew line \"quoted\"");
        gauge.Add(1, new KeyValuePair<string, object?>("v", "a\\b\"c\nd"));

        var text = collector.Collect();
        Assert.Contains("# HELP odd back\\\\slash and\\nnew line \"quoted\"\n", text);
        Assert.Contains("odd{v=\"a\\\\b\\\"c\\nd\"} 1\n", text);
        Assert.Equal("a\\\\b\\\"c\\nd", PrometheusText.EscapeLabelValue("a\\b\"c\nd"));
        Assert.Equal("plain", PrometheusText.EscapeLabelValue("plain"));
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_with_inf_sum_and_count()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var histogram = meter.CreateHistogram("celeriac.task.duration", unit: "s", description: "Task execution time",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        var tag = new KeyValuePair<string, object?>("task", "t");
        foreach (var value in new[] { 0.05, 0.1, 0.5, 2, 20, 30 }) histogram.Record(value, tag);

        Assert.Equal(
            "# HELP celeriac_task_duration_seconds Task execution time\n" +
            "# TYPE celeriac_task_duration_seconds histogram\n" +
            "celeriac_task_duration_seconds_bucket{task=\"t\",le=\"0.1\"} 2\n" +
            "celeriac_task_duration_seconds_bucket{task=\"t\",le=\"1\"} 3\n" +
            "celeriac_task_duration_seconds_bucket{task=\"t\",le=\"10\"} 4\n" +
            "celeriac_task_duration_seconds_bucket{task=\"t\",le=\"+Inf\"} 6\n" +
            "celeriac_task_duration_seconds_sum{task=\"t\"} 52.65\n" +
            "celeriac_task_duration_seconds_count{task=\"t\"} 6\n",
            collector.Collect());
    }

    [Fact]
    public void Histograms_without_advice_use_the_default_buckets()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name, o => o.DefaultHistogramBuckets = [1, 2]);
        using var meter = new Meter(name);
        meter.CreateHistogram<long>("sizes").Record(2);

        var text = collector.Collect();
        Assert.Contains("sizes_bucket{le=\"1\"} 0\n", text);
        Assert.Contains("sizes_bucket{le=\"2\"} 1\n", text);
        Assert.Contains("sizes_bucket{le=\"+Inf\"} 1\n", text);
    }

    [Fact]
    public void Output_is_sorted_by_metric_then_labels_whatever_the_recording_order()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var zebra = meter.CreateCounter<long>("zebra");
        var alpha = meter.CreateCounter<long>("alpha");
        zebra.Add(1, new KeyValuePair<string, object?>("k", "b"));
        zebra.Add(1, new KeyValuePair<string, object?>("k", "a"));
        alpha.Add(1);

        var lines = collector.Collect().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(["alpha_total 1", "zebra_total{k=\"a\"} 1", "zebra_total{k=\"b\"} 1"], lines);
        Assert.Equal(collector.Collect(), collector.Collect());
    }

    [Fact]
    public void Observable_instruments_report_what_their_callback_says_at_each_collection()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var meter = new Meter(name);
        var current = 7L;
        meter.CreateObservableGauge("celeriac.worker.memory", () => current, unit: "By");
        meter.CreateObservableCounter("recycles", () => new Measurement<long>(current / 7, new KeyValuePair<string, object?>("reason", "memory")));

        var first = collector.Collect();
        Assert.Contains("# TYPE celeriac_worker_memory_bytes gauge\nceleriac_worker_memory_bytes 7\n", first);
        Assert.Contains("# TYPE recycles_total counter\nrecycles_total{reason=\"memory\"} 1\n", first);
        current = 14;
        Assert.Contains("celeriac_worker_memory_bytes 14\n", collector.Collect());
    }

    [Fact]
    public void Label_sets_past_the_limit_fold_into_one_overflow_series()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name, o => o.MaxSeriesPerMetric = 3);
        using var meter = new Meter(name);
        var counter = meter.CreateCounter<long>("by.id");
        for (var i = 0; i < 10; i++) counter.Add(1, new KeyValuePair<string, object?>("id", i));

        var samples = collector.Collect().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(4, samples.Count);
        Assert.Contains("by_id_total{otel_metric_overflow=\"true\"} 7", samples);
    }

    [Fact]
    public void Only_the_configured_meters_are_exported()
    {
        var name = UniqueMeterName();
        using var collector = Collector(name);
        using var mine = new Meter(name);
        using var other = new Meter(UniqueMeterName());
        mine.CreateCounter<long>("mine").Add(1);
        other.CreateCounter<long>("theirs").Add(1);

        var text = collector.Collect();
        Assert.Contains("mine_total 1", text);
        Assert.DoesNotContain("theirs", text);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.25, "0.25")]
    [InlineData(1e-9, "1E-09")]
    public void Special_values_use_prometheus_spelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.FormatValue(value));
}
