using System.Text.Json.Nodes;
using Celeriac.Celery.Protocol;
using Celeriac.Celery.Results;
using Celeriac.Celery.Sqs;
using Celeriac.Celery.Transport;
using Celeriac.Client;
using Celeriac.Revocation;
using Celeriac.Tasks;
using Celeriac.TimeLimits;

namespace Celeriac.Celery.Tests;

/// <summary>kombu's SQS queue names, Celery's task routes, Celery's exception records and result records.</summary>
public sealed class CeleryNamesAndResultsTests
{
    [Theory]
    [InlineData("celery", "celery")]
    [InlineData("billing.invoices", "billing-invoices")]
    [InlineData("a-b_c", "a-b_c")]
    [InlineData("x@y:z/w", "x_y_z_w")]
    [InlineData("orders.eu.fifo", "orders-eu.fifo")]
    public void SQS_names_follow_kombu(string queue, string name) => Assert.Equal(name, KombuSqsNames.EntityName(queue));

    [Theory]
    [InlineData("tasks.add", "tasks.add", true)]
    [InlineData("tasks.*", "tasks.add", true)]
    [InlineData("*.add", "tasks.add", true)]
    [InlineData("t*s.a*", "tasks.add", true)]
    [InlineData("tasks.*", "other.add", false)]
    [InlineData("tasks.add", "tasks.addition", false)]
    public void Routes_match_as_Celery_globs(string pattern, string task, bool matches) => Assert.Equal(matches, CeleryRouting.Matches(pattern, task));

    [Fact]
    public void Exceptions_are_recorded_as_Python_rebuilds_them()
    {
        var record = CeleryException.From(new InvalidOperationException("closed"));
        Assert.Equal("""{"exc_type":"InvalidOperationException","exc_message":["closed"],"exc_module":"System"}""", record.ToJsonString());
        Assert.Equal("System.InvalidOperationException", CeleryException.TypeName(record));
        Assert.Equal("InvalidOperationException('closed')", CeleryException.Repr(record));

        var soft = CeleryException.From(new SoftTimeLimitExceededException(TimeSpan.FromSeconds(1)));
        Assert.Equal(("SoftTimeLimitExceeded", "billiard.exceptions"), (soft["exc_type"]!.GetValue<string>(), soft["exc_module"]!.GetValue<string>()));
        Assert.Equal("a, 2", CeleryException.Message(new JsonObject { ["exc_message"] = new JsonArray("a", 2) }));
    }

    [Fact]
    public void Only_ready_records_are_results_and_a_revocation_reads_as_one()
    {
        var now = DateTimeOffset.UtcNow;
        var success = CeleryResultMeta.Create("t", CeleryStates.Success, 42, null, null, "g", "p", now);
        Assert.Equal(["status", "result", "traceback", "children", "date_done", "group_id", "parent_id", "task_id"], success.Select(p => p.Key));
        Assert.Equal("42", CeleryResultMeta.ToTaskResult("t", success, now)!.ResultJson);

        Assert.Null(CeleryResultMeta.ToTaskResult("t", CeleryResultMeta.Create("t", CeleryStates.Retry, null, null, null, null, null, now), now));
        Assert.Null(CeleryResultMeta.Create("t", CeleryStates.Retry, null, null, null, null, null, now)["date_done"]);
        Assert.Null(CeleryResultMeta.ToTaskResult("t", null, now));

        var failed = CeleryResultMeta.ToTaskResult("t", CeleryResultMeta.Create("t", CeleryStates.Failure, CeleryException.Create("ValueError", "builtins", "bad"), "tb", null, null, null, now), now)!;
        Assert.Equal((false, "builtins.ValueError", "bad"), (failed.Succeeded, failed.ExceptionType, failed.ExceptionMessage));
        var revoked = CeleryResultMeta.ToTaskResult("t", CeleryResultMeta.Create("t", CeleryStates.Revoked, CeleryException.Create("TaskRevokedError", "celery.exceptions", "expired"), null, null, null, null, now), now)!;
        Assert.Equal(TaskRevokedException.ResultType, revoked.ExceptionType);
    }

    [Fact]
    public void A_signature_applies_with_the_result_first_unless_immutable_and_keeps_its_frozen_id()
    {
        var options = new JsonObject { ["task_id"] = "frozen", ["queue"] = "q", ["countdown"] = 10, ["link_error"] = new JsonObject { ["task"] = "eb" } };
        var signature = CelerySignature.Parse(CelerySignature.Create("proj.add", [5], [], options, immutable: false));
        var now = DateTimeOffset.UtcNow;

        var (queue, message) = signature.ToMessage([1], "parent", "root", null, now, _ => "unused");

        Assert.Equal(("q", "frozen", "[1,5]"), (queue, message.Id, message.Args.ToJsonString()));
        Assert.Equal(("parent", "root", now + TimeSpan.FromSeconds(10)), (message.ParentId!, message.RootId!, message.Eta!.Value));
        Assert.Equal("eb", Assert.Single(message.Errbacks!)!["task"]!.GetValue<string>());

        var immutable = CelerySignature.Parse(CelerySignature.Create("proj.add", [5], [], [], immutable: true));
        var (routed, fixedArgs) = immutable.ToMessage([1], null, null, null, now, task => "routed-" + task);
        Assert.Equal(("routed-proj.add", "[5]"), (routed, fixedArgs.Args.ToJsonString()));
        Assert.Equal(fixedArgs.Id, fixedArgs.RootId);
    }
}
