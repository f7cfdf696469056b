using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api.Common;

namespace Orchestrator.Engine.Tests.ApiCommon;

/// <summary>Problem responses stay small whatever the input: few errors listed, each path and message cut.</summary>
public sealed class ProblemsTests
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);
        return options;
    }

    [Fact]
    public void Validation_SixtyThousandErrorsWithHugeNames_ListsTheFirstTwentyCutAndCountsTheRest()
    {
        var name = new string('n', 400_000);
        var errors = Enumerable.Range(0, 60_000).Select(i => new FieldError($"parameters.{name}{i}", $"Unknown parameter '{name}'."));

        var problem = Assert.IsType<ProblemHttpResult>(Problems.Validation(errors));

        var listed = Assert.IsType<List<FieldError>>(problem.ProblemDetails.Extensions["errors"]);
        Assert.Equal(Problems.MaxErrors, listed.Count);
        Assert.Equal(60_000 - Problems.MaxErrors, problem.ProblemDetails.Extensions["errorsOmitted"]);
        Assert.All(listed, e => Assert.True(e.Path.Length <= Problems.MaxPathLength && e.Message.Length <= Problems.MaxMessageLength, e.Path.Length + " " + e.Message.Length));
        Assert.All(listed, e => Assert.EndsWith("…", e.Path, StringComparison.Ordinal));
        Assert.Contains("59980 more errors", problem.ProblemDetails.Detail, StringComparison.Ordinal);
        var size = JsonSerializer.SerializeToUtf8Bytes(problem.ProblemDetails, Json).Length;
        Assert.True(size < 16 * 1024, $"{size} bytes");
        Assert.Equal(StatusCodes.Status400BadRequest, problem.StatusCode);
    }

    [Fact]
    public void Validation_FewShortErrors_AreListedWhole()
    {
        var problem = Assert.IsType<ProblemHttpResult>(Problems.Validation([new FieldError("a", "Required."), new FieldError("b", "Too long.")]));

        var listed = Assert.IsType<List<FieldError>>(problem.ProblemDetails.Extensions["errors"]);
        Assert.Equal([new FieldError("a", "Required."), new FieldError("b", "Too long.")], listed);
        Assert.False(problem.ProblemDetails.Extensions.ContainsKey("errorsOmitted"));
        Assert.Equal("a: Required.; b: Too long.", problem.ProblemDetails.Detail);
    }

    [Fact]
    public void WithStatus_A413_IsCappedTheSameWay()
    {
        var problem = Assert.IsType<ProblemHttpResult>(Problems.WithStatus(413, [new FieldError("body", new string('m', 5000))]));

        Assert.Equal("The request body is too large.", problem.ProblemDetails.Title);
        Assert.Equal(Problems.MaxMessageLength, Assert.Single(Assert.IsType<List<FieldError>>(problem.ProblemDetails.Extensions["errors"])).Message.Length);
    }

    [Fact]
    public void Detail_LongMessages_AreCutAsInErrors()
    {
        var detail = Problems.Detail(Enumerable.Range(0, 10).Select(i => new FieldError("p" + i, new string('m', 10_000))));

        Assert.True(detail.Length < 5 * (Problems.MaxMessageLength + 10), $"{detail.Length} characters");
        Assert.DoesNotContain("p5", detail, StringComparison.Ordinal);
    }
}
