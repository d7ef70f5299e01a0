namespace Celeriac.Prometheus.Tests;

public sealed class PrometheusNamesTests
{
    [Theory]
    [InlineData("celeriac.tasks.received", null, MetricKind.Counter, "celeriac_tasks_received_total")]
    [InlineData("celeriac.tasks.failed", "{task}", MetricKind.Counter, "celeriac_tasks_failed_total")]
    [InlineData("celeriac.task.duration", "s", MetricKind.Histogram, "celeriac_task_duration_seconds")]
    [InlineData("celeriac.task.queue_wait", "s", MetricKind.Histogram, "celeriac_task_queue_wait_seconds")]
    [InlineData("celeriac.worker.memory", "By", MetricKind.Gauge, "celeriac_worker_memory_bytes")]
    [InlineData("celeriac.tasks.in_flight", null, MetricKind.Gauge, "celeriac_tasks_in_flight")]
    [InlineData("celeriac.operator.reconcile", null, MetricKind.Counter, "celeriac_operator_reconcile_total")]
    [InlineData("celeriac.operator.reconcile.duration", "s", MetricKind.Histogram, "celeriac_operator_reconcile_duration_seconds")]
    [InlineData("http.requests_total", null, MetricKind.Counter, "http_requests_total")]
    [InlineData("latency_seconds", "s", MetricKind.Histogram, "latency_seconds")]
    [InlineData("cache.hit", "1", MetricKind.Gauge, "cache_hit_ratio")]
    [InlineData("net.throughput", "By/s", MetricKind.Gauge, "net_throughput_bytes_per_second")]
    [InlineData("weird-name..with spaces", null, MetricKind.Gauge, "weird_name_with_spaces")]
    [InlineData("9lives", null, MetricKind.Gauge, "_9lives")]
    public void Instrument_names_and_units_become_prometheus_names(string instrument, string? unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusNames.MetricName(instrument, unit, kind));

    [Theory]
    [InlineData("task", "task")]
    [InlineData("messaging.destination", "messaging_destination")]
    [InlineData("a:b", "a_b")]
    [InlineData("1st", "_1st")]
    public void Tag_keys_become_valid_label_names(string key, string expected) =>
        Assert.Equal(expected, PrometheusNames.LabelName(key));
}
