using System.Text.Json;
using System.Text.Json.Nodes;
using Celeriac.Celery.Binding;
using Celeriac.Celery.Tests.Infrastructure;

namespace Celeriac.Celery.Tests;

/// <summary>Celery's args and kwargs against Celeriac's argument records, both ways.</summary>
public sealed class CeleryArgumentsTests
{
    private static JsonArray Args(params object?[] items) => JsonSerializer.SerializeToNode(items)!.AsArray();

    private static JsonObject Kwargs(object values) => JsonSerializer.SerializeToNode(values)!.AsObject();

    public sealed record Settings
    {
        public string? Region { get; set; }
        public int Retries { get; set; }
    }

    [Fact]
    public void Positional_args_follow_the_declared_order_and_keywords_match_in_any_spelling()
    {
        var bound = CeleryArguments.ToArgs(typeof(GreetArgs), Args("Ada"), Kwargs(new Dictionary<string, object> { ["greeting"] = "Hi", ["Times"] = 3 }));
        Assert.Equal(new GreetArgs("Ada", "Hi", 3), bound.Deserialize<GreetArgs>(Envelope.EnvelopeSerializer.ArgsOptions));

        var snake = CeleryArguments.ToArgs(typeof(GreetArgs), [], Kwargs(new Dictionary<string, object> { ["user_name"] = "Grace", ["greeting"] = "Hello" }));
        Assert.Equal(new GreetArgs("Grace", "Hello"), snake.Deserialize<GreetArgs>(Envelope.EnvelopeSerializer.ArgsOptions));

        // A class with settable properties binds positionally in the order they are declared.
        var settings = CeleryArguments.ToArgs(typeof(Settings), Args("eu-west-1", 4), []);
        Assert.Equal(new Settings { Region = "eu-west-1", Retries = 4 }, settings.Deserialize<Settings>(Envelope.EnvelopeSerializer.ArgsOptions));
    }

    [Theory]
    [InlineData(new object[] { "a", "b", 1, 2 }, null, "GreetArgs takes 3 positional arguments but 4 were given")]
    [InlineData(new object[] { "a" }, "{\"colour\": 1}", "GreetArgs got an unexpected keyword argument 'colour'")]
    [InlineData(new object[] { "a" }, "{\"user_name\": \"b\"}", "GreetArgs got multiple values for argument 'user_name'")]
    public void A_call_that_does_not_fit_is_refused_in_Python_words(object[] args, string? kwargs, string reason)
    {
        var error = Assert.Throws<ArgumentBindingException>(() =>
            CeleryArguments.ToArgs(typeof(GreetArgs), Args(args), kwargs is null ? [] : JsonNode.Parse(kwargs)!.AsObject()));

        Assert.Equal(reason, error.Message);
    }

    [Fact]
    public void A_task_taking_a_value_or_a_list_binds_its_positional_args()
    {
        Assert.Equal(7, CeleryArguments.ToArgs(typeof(int), Args(7), []).GetInt32());
        Assert.Equal("[1,2,3]", CeleryArguments.ToArgs(typeof(List<int>), Args(1, 2, 3), []).GetRawText());
        Assert.Equal("[1,2]", CeleryArguments.ToArgs(typeof(List<int>), Args(new[] { 1, 2 }), []).GetRawText());
        Assert.Equal("{\"a\":1}", CeleryArguments.ToArgs(typeof(Dictionary<string, int>), [], Kwargs(new { a = 1 })).GetRawText());
        Assert.Equal("int32 takes no keyword arguments", Assert.Throws<ArgumentBindingException>(() => CeleryArguments.ToArgs(typeof(int), [], Kwargs(new { a = 1 }))).Message.ToLowerInvariant());
    }

    [Fact]
    public void Celeriac_args_become_keyword_args_positional_args_or_one_arg()
    {
        var (args, kwargs) = CeleryArguments.FromArgs(JsonSerializer.SerializeToElement(new { x = 1, y_value = 2 }));
        Assert.Equal(("[]", "{\"x\":1,\"y_value\":2}"), (args.ToJsonString(), kwargs.ToJsonString()));
        (args, kwargs) = CeleryArguments.FromArgs(JsonSerializer.SerializeToElement(new object[] { 2, "three" }));
        Assert.Equal(("[2,\"three\"]", "{}"), (args.ToJsonString(), kwargs.ToJsonString()));
        (args, kwargs) = CeleryArguments.FromArgs(JsonSerializer.SerializeToElement(5));
        Assert.Equal(("[5]", "{}"), (args.ToJsonString(), kwargs.ToJsonString()));
        (args, kwargs) = CeleryArguments.FromArgs(default);
        Assert.Equal(("[]", "{}"), (args.ToJsonString(), kwargs.ToJsonString()));
    }
}
