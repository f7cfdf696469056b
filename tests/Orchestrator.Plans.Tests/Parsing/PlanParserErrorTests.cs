using Orchestrator.Plans.Parsing;

namespace Orchestrator.Plans.Tests.Parsing;

/// <summary>Every error, whatever found it, points at the path, line and column of what is wrong.</summary>
public sealed class PlanParserErrorTests
{
    private const string Head = "name: p\nsteps:\n  - name: s\n    targets: {hosts: [h]}\n";

    private static PlanError SingleError(PlanParseResult result)
    {
        Assert.False(result.Ok);
        Assert.Null(result.Plan);
        return Assert.Single(result.Errors);
    }

    private static void AssertError(PlanError error, string path, int line, int column, string messagePart)
    {
        Assert.Equal(path, error.Path);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_BadRollingExpression_ErrorAtTheExpression()
    {
        var result = PlanParser.ParseYaml("""
            name: p
            steps:
              - name: a
                targets:
                  hosts: [h1]
                script: echo
                execution:
                  rolling:
                    expression: "1 +x"
            """);

        AssertError(SingleError(result), "steps[0].execution.rolling.expression", 9, 21, "'+x'");
    }

    [Fact]
    public void ParseYaml_RollingShortForm_ErrorAtTheShortForm()
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n    execution: {rolling: '+1'}\n");

        AssertError(SingleError(result), "steps[0].execution.rolling.expression", 6, 26, "first batch");
    }

    [Fact]
    public void ParseYaml_UnknownField_ErrorAtTheKeyNamingAllowedAndNearest()
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n    continueOnErorr: true\n");

        var error = SingleError(result);
        AssertError(error, "steps[0].continueOnErorr", 6, 5, "Unknown field 'continueOnErorr'");
        Assert.Contains("Did you mean 'continueOnError'?", error.Message, StringComparison.Ordinal);
        Assert.Contains("Allowed: name, kind, targets, script, files, approval, http, container, execution, continueOnError.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_FieldInWrongCase_SuggestsTheRightOne()
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n    execution: {FailureBudget: 1}\n");

        Assert.Contains("Did you mean 'failureBudget'?", SingleError(result).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    execution: {parallelism: many}\n", "steps[0].execution.parallelism", 6, 30, "whole number")]
    [InlineData("    execution: {targetTimeout: 30}\n", "steps[0].execution.targetTimeout", 6, 32, "'30s'")]
    [InlineData("    execution: {failureBudget: lots}\n", "steps[0].execution.failureBudget", 6, 32, "percentage")]
    [InlineData("    execution: {rolling: {expression: '1', mode: sometimes}}\n", "steps[0].execution.rolling.mode", 6, 50, "pauseOnFailure, continue, confirm")]
    [InlineData("    execution: {retry: [1]}\n", "steps[0].execution.retry", 6, 24, "found a list")]
    [InlineData("    execution: {retry: {factor: fast}}\n", "steps[0].execution.retry.factor", 6, 33, "a number")]
    [InlineData("    continueOnError: maybe\n", "steps[0].continueOnError", 6, 22, "true or false")]
    [InlineData("    execution: {exitCodes: [{codes: [x]}]}\n", "steps[0].execution.exitCodes[0].codes[0]", 6, 38, "whole number")]
    public void ParseYaml_WrongType_ErrorAtTheValue(string line, string path, int lineNumber, int column, string messagePart)
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n" + line);

        AssertError(SingleError(result), path, lineNumber, column, messagePart);
    }

    [Fact]
    public void ParseYaml_StepKindUnknown_ErrorAtKindOnly()
    {
        var result = PlanParser.ParseYaml(Head + "    kind: shell\n    script: echo\n");

        AssertError(SingleError(result), "steps[0].kind", 5, 11, "script, fileDistribution, approval");
    }

    [Fact]
    public void ParseYaml_StepWithoutSpec_ErrorAtTheStep()
    {
        var result = PlanParser.ParseYaml(Head);

        AssertError(SingleError(result), "steps[0].kind", 3, 5, "one of 'script', 'files', 'approval', 'http' or 'container'");
    }

    [Fact]
    public void ParseYaml_StepWithTwoSpecs_ErrorAtTheStep()
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n    approval: {}\n");

        AssertError(SingleError(result), "steps[0].kind", 3, 5, "'script' and 'approval'");
    }

    [Fact]
    public void ParseYaml_KindDisagreesWithSpec_ErrorAtKind()
    {
        var result = PlanParser.ParseYaml("name: p\nsteps:\n  - name: s\n    kind: approval\n    script: echo\n");

        Assert.Collection(
            result.Errors,
            e => AssertError(e, "steps[0].kind", 4, 11, "A step of kind approval needs 'approval'."),
            e => AssertError(e, "steps[0].kind", 4, 11, "A step of kind approval cannot have 'script'."));
    }

    [Fact]
    public void ParseYaml_MissingField_ErrorAtTheEnclosingMapping()
    {
        var result = PlanParser.ParseYaml("name: p\nsteps:\n  - name: s\n    script: echo\n");

        AssertError(SingleError(result), "steps[0].targets", 3, 5, "needs targets");
    }

    [Fact]
    public void ParseYaml_MissingPlanName_ErrorAtTheDocumentStart()
    {
        var result = PlanParser.ParseYaml("steps:\n  - name: s\n    targets: {hosts: [h]}\n    script: echo\n");

        AssertError(SingleError(result), "name", 1, 1, "needs a name");
    }

    [Fact]
    public void ParseYaml_ValidationError_ErrorAtTheValue()
    {
        var result = PlanParser.ParseYaml(Head + "    script: echo\n  - name: s\n    targets: {selector: 'zone in (a'}\n    script: echo ${{ params.nope }}\n");

        Assert.Collection(
            result.Errors,
            e => AssertError(e, "steps[1].name", 6, 11, "already used"),
            e => AssertError(e, "steps[1].targets.selector", 7, 25, "position 11"),
            e => AssertError(e, "steps[1].script.source", 8, 13, "no parameter is named 'nope'"));
    }

    [Fact]
    public void ParseYaml_ManyErrors_AllReportedInTextOrder()
    {
        var result = PlanParser.ParseYaml("""
            name: p
            colour: blue
            steps:
              - name: bad name
                targets: {hosts: [h]}
                script: {interpreter: perl, source: echo}
                execution: {parallelism: 0, retry: {limit: 101}}
            """);

        Assert.Equal(
            ["colour", "steps[0].name", "steps[0].script.interpreter", "steps[0].execution.parallelism", "steps[0].execution.retry.limit"],
            result.Errors.Select(e => e.Path));
        Assert.Equal([2, 4, 6, 7, 7], result.Errors.Select(e => e.Line!.Value));
    }

    [Fact]
    public void ParseYaml_ReaderError_SuppressesValidatorNoiseForTheSameField()
    {
        var result = PlanParser.ParseYaml(Head.Replace("targets: {hosts: [h]}", "targets: [h]", StringComparison.Ordinal) + "    script: echo\n");

        AssertError(SingleError(result), "steps[0].targets", 4, 14, "Expected targets (a mapping of hosts, selector, parameter, fromStep, clusters, clusterSelector, dispatch)");
    }

    [Theory]
    [InlineData("name: p\nsteps: [a\nb: 1\n", 2)]
    [InlineData("name: p\n  bad: indent\n", 2)]
    [InlineData("name: 'open\n", 1)]
    [InlineData("name: p\nsteps:\n  - name: a\n\t- name: b\n", 4)]
    public void ParseYaml_SyntaxError_ErrorWithLine(string yaml, int line)
    {
        var error = SingleError(PlanParser.ParseYaml(yaml));

        Assert.Equal("", error.Path);
        Assert.Equal(line, error.Line);
        Assert.NotNull(error.Column);
        Assert.StartsWith("Not valid YAML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_DuplicateKey_ErrorAtTheSecond()
    {
        var error = SingleError(PlanParser.ParseYaml("name: p\nname: q\nsteps: []\n"));

        Assert.Equal((2, 1), (error.Line, error.Column));
        Assert.Contains("Duplicate key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_Empty_Error() =>
        AssertError(SingleError(PlanParser.ParseYaml("# nothing\n")), "", 1, 1, "empty");

    [Fact]
    public void ParseYaml_TwoDocuments_ErrorAtTheSecond() =>
        AssertError(SingleError(PlanParser.ParseYaml("name: p\n---\nname: q\n")), "", 3, 1, "one document");

    [Fact]
    public void ParseYaml_RootIsAList_Error() =>
        AssertError(SingleError(PlanParser.ParseYaml("- a\n- b\n")), "", 1, 1, "Expected the plan");

    [Fact]
    public void ParseYaml_ScriptFileWithoutBaseDirectory_Error()
    {
        var result = PlanParser.ParseYaml(Head + "    script: {file: go.sh}\n");

        AssertError(SingleError(result), "steps[0].script.file", 5, 20, "base directory");
    }

    [Fact]
    public void ParseYaml_ScriptFileAndSource_Error()
    {
        var result = PlanParser.ParseYaml(Head + "    script: {file: go.sh, source: echo}\n", new PlanParseOptions { BaseDirectory = Path.GetTempPath() });

        AssertError(SingleError(result), "steps[0].script.file", 5, 20, "not both");
    }

    [Theory]
    [InlineData("../outside.sh")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../outside.sh")]
    public void ParseYaml_ScriptFileOutsideBaseDirectory_Error(string file)
    {
        var directory = Directory.CreateTempSubdirectory("plans-");
        try
        {
            var result = PlanParser.ParseYaml(Head + $"    script: {{file: '{file}'}}\n", new PlanParseOptions { BaseDirectory = directory.FullName });

            AssertError(SingleError(result), "steps[0].script.file", 5, 20, "inside the plan's directory");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ParseYaml_ScriptFileMissing_Error()
    {
        var directory = Directory.CreateTempSubdirectory("plans-");
        try
        {
            var result = PlanParser.ParseYaml(Head + "    script: {file: none.sh}\n", new PlanParseOptions { BaseDirectory = directory.FullName });

            AssertError(SingleError(result), "steps[0].script.file", 5, 20, "Cannot read the script file");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void ParseYaml_NestedTooDeep_ErrorNotStackOverflow()
    {
        var yaml = "name: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var error = SingleError(PlanParser.ParseYaml(yaml));

        Assert.Contains("nests deeper than 64", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void ParseJson_NestedTooDeep_Error()
    {
        var json = "{\"name\": " + new string('[', 10_000) + new string(']', 10_000) + "}";

        Assert.StartsWith("Not valid JSON", SingleError(PlanParser.ParseJson(json)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_AliasBomb_ErrorInsteadOfEndlessWork()
    {
        // 100 steps × 100 exit-code rules × 100 codes: a million values from a few kilobytes of text.
        var codes = string.Join(", ", Enumerable.Repeat("1", 100));
        var rules = string.Join("", Enumerable.Repeat("\n        - *r", 99));
        var steps = string.Join("", Enumerable.Repeat("\n  - *s", 99));
        var yaml = $$"""
            name: p
            steps:
              - &s
                name: s
                targets: {hosts: [h]}
                script: echo
                execution:
                  exitCodes:
                    - &r {codes: [{{codes}}]}{{rules}}{{steps}}
            """;

        var error = SingleError(PlanParser.ParseYaml(yaml));

        Assert.Contains("more than 100000 values", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_WindowsLineEndings_SamePositions()
    {
        var result = PlanParser.ParseYaml((Head + "    script: echo\n    execution: {parallelism: 0}\n").ReplaceLineEndings("\r\n"));

        AssertError(SingleError(result), "steps[0].execution.parallelism", 6, 30, "at least 1");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parse_ByteOrderMark_Ignored(bool json)
    {
        var text = json
            ? "\uFEFF{\"name\": \"p\", \"steps\": [{\"name\": \"s\", \"targets\": {\"hosts\": [\"h\"]}, \"script\": \"echo\"}]}"
            : "\uFEFF" + Head + "    script: echo\n";

        var result = json ? PlanParser.ParseJson(text) : PlanParser.ParseYaml(text);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Fact]
    public void ParseYaml_NullListItem_ErrorAtTheItem()
    {
        var result = PlanParser.ParseYaml("name: p\nsteps:\n  - ~\n");

        AssertError(SingleError(result), "steps[0]", 3, 5, "Expected a step");
    }

    [Fact]
    public void PlanError_ToString_PositionPathAndMessage()
    {
        Assert.Equal("line 3, column 7: steps[0].name: bad", new PlanError("steps[0].name", "bad", 3, 7).ToString());
        Assert.Equal("parameters.x: bad", new PlanError("parameters.x", "bad").ToString());
    }
}
