using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

/// <summary>
/// Reads a plan from YAML or JSON (the format is <c>docs/plan-format.md</c>) and validates it. Every error — syntax,
/// unknown field, wrong type, and the rules of <see cref="PlanValidator"/> — comes back with the path of the field
/// and the 1-based line and column of the text it is about; nothing throws for bad input.
/// </summary>
public static class PlanParser
{
    /// <summary>Parses and validates a plan written in YAML.</summary>
    public static PlanParseResult ParseYaml(string text, PlanParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<PlanError>();
        return Read(PlanDocumentLoader.LoadYaml(WithoutByteOrderMark(text), errors), errors, options);
    }

    /// <summary>Parses and validates a plan written in JSON; YAML-only syntax is refused.</summary>
    public static PlanParseResult ParseJson(string text, PlanParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var errors = new List<PlanError>();
        return Read(PlanDocumentLoader.LoadJson(WithoutByteOrderMark(text), errors), errors, options);
    }

    /// <summary>
    /// Parses by media type: JSON for <c>application/json</c> and <c>*+json</c>; YAML for <c>application/yaml</c>,
    /// <c>application/x-yaml</c>, <c>text/yaml</c> and <c>*+yaml</c>; by the text itself (JSON when it starts with
    /// <c>{</c>) when <paramref name="contentType"/> is null, empty or <c>text/plain</c>. Any other type is an error.
    /// </summary>
    public static PlanParseResult Parse(string text, string? contentType, PlanParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var mediaType = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" or "text/json" => ParseJson(text, options),
            _ when mediaType.EndsWith("+json", StringComparison.Ordinal) => ParseJson(text, options),
            "application/yaml" or "application/x-yaml" or "text/yaml" or "text/x-yaml" => ParseYaml(text, options),
            _ when mediaType.EndsWith("+yaml", StringComparison.Ordinal) => ParseYaml(text, options),
            "" or "text/plain" or "application/octet-stream" =>
                WithoutByteOrderMark(text).TrimStart().StartsWith('{') ? ParseJson(text, options) : ParseYaml(text, options),
            _ => new PlanParseResult
            {
                Errors = [new PlanError("", $"Unsupported content type '{contentType}'; send application/json or application/yaml.")],
            },
        };
    }

    /// <summary>A request body decoded without looking for a byte order mark still starts with one.</summary>
    private static string WithoutByteOrderMark(string text) => text.StartsWith('\uFEFF') ? text[1..] : text;

    private static PlanParseResult Read(YamlNode? root, List<PlanError> syntaxErrors, PlanParseOptions? options)
    {
        if (root is null)
        {
            return new PlanParseResult { Errors = syntaxErrors };
        }

        var reader = new NodeReader();
        PlanDefinition? plan;
        try
        {
            plan = new PlanReader(reader, options ?? new PlanParseOptions()).ReadPlan(root);
        }
        catch (PlanTooLargeException e)
        {
            return new PlanParseResult { Errors = [new PlanError("", e.Message, (int)e.At.Line, (int)e.At.Column)] };
        }

        var errors = new List<PlanError>(reader.Errors);
        if (plan is not null)
        {
            // A field the reader could not read was left at its default; what the validator says about it (or inside
            // it) would only repeat the reader's error in other words.
            foreach (var error in PlanValidator.Validate(plan))
            {
                if (!reader.AlreadyReported(error.Path))
                {
                    errors.Add(reader.Locate(error));
                }
            }
        }

        if (errors.Count > 0)
        {
            return new PlanParseResult { Errors = [.. errors.OrderBy(e => e.Line ?? int.MaxValue).ThenBy(e => e.Column ?? int.MaxValue)] };
        }

        return new PlanParseResult { Plan = plan };
    }
}
