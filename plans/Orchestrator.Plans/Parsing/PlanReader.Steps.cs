using Orchestrator.Plans.Model;
using Orchestrator.Plans.Validation;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Plans.Parsing;

internal sealed partial class PlanReader
{
    private static readonly string[] TargetFields = ["hosts", "selector", "parameter", "fromStep", "clusters", "clusterSelector", "dispatch"];
    private static readonly string[] FromStepFields = ["step", "outcome"];
    private static readonly string[] ScriptFields = ["interpreter", "source", "file", "args", "env", "workingDirectory"];
    private static readonly string[] FilesFields = ["sources", "targetDirectory", "mode"];
    private static readonly string[] SourceFields = ["name", "sha256", "fromHost", "path"];
    private static readonly string[] ApprovalFields = ["approvers", "required", "timeout", "onTimeout", "message"];

    private TargetSpec? ReadTargets(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "targets", TargetFields);
        if (f is null)
        {
            return null;
        }

        return new TargetSpec
        {
            Hosts = f.Strings("hosts"),
            Selector = f.String("selector"),
            Parameter = f.String("parameter"),
            FromStep = f.TryGet("fromStep", out var from) ? ReadFromStep(from, f.PathOf("fromStep")) : null,
            Clusters = f.Strings("clusters"),
            ClusterSelector = f.String("clusterSelector"),
            Dispatch = f.Enum<ClusterDispatch>("dispatch"),
        };
    }

    /// <summary><c>fromStep: build</c> is short for <c>fromStep: {step: build}</c>.</summary>
    private StepHostsReference? ReadFromStep(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return new StepHostsReference { Step = reader.String(node, path) ?? "" };
        }

        var f = reader.Mapping(node, path, "fromStep", FromStepFields);
        if (f is null)
        {
            return null;
        }

        return new StepHostsReference
        {
            Step = f.String("step") ?? "",
            Outcome = f.Enum<StepHostsOutcome>("outcome") ?? StepHostsOutcome.Succeeded,
        };
    }

    /// <summary><c>script: "echo hi"</c> is short for <c>script: {source: "echo hi"}</c>.</summary>
    private ScriptSpec? ReadScript(YamlNode node, string path)
    {
        if (node is YamlScalarNode)
        {
            return new ScriptSpec { Source = reader.String(node, path) ?? "" };
        }

        var f = reader.Mapping(node, path, "a script", ScriptFields);
        if (f is null)
        {
            return null;
        }

        var spec = new ScriptSpec
        {
            Interpreter = f.String("interpreter") ?? "sh",
            Source = f.String("source") ?? "",
            Args = f.Strings("args"),
            Env = f.TryGet("env", out var env) ? reader.StringMap(env, f.PathOf("env")) : new Dictionary<string, string>(),
            WorkingDirectory = f.String("workingDirectory"),
        };

        if (f.TryGet("file", out var fileNode) && f.String("file") is { } file)
        {
            if (f.Has("source"))
            {
                reader.Error(f.PathOf("file"), fileNode, "Give the script as 'source' or as 'file', not both.");
            }
            else if (ReadScriptFile(file, fileNode, f.PathOf("file")) is { } source)
            {
                spec = spec with { Source = source };
            }
            else
            {
                reader.MarkIncomplete(f.PathOf("source"));
            }
        }

        return spec;
    }

    private string? ReadScriptFile(string file, YamlNode node, string path)
    {
        if (options.BaseDirectory is not { } baseDirectory)
        {
            reader.Error(path, node, $"'file: {file}' needs a base directory to resolve against; parse the plan from its file, or give the script inline as 'source'.");
            return null;
        }

        var root = Path.GetFullPath(baseDirectory);
        var full = Path.GetFullPath(Path.Combine(root, file));
        var relative = Path.GetRelativePath(root, full);
        if (Path.IsPathRooted(file) || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            reader.Error(path, node, $"'file: {file}' must lie inside the plan's directory '{root}'.");
            return null;
        }

        try
        {
            // Read nothing that cannot fit: a character takes at most four bytes of UTF-8.
            if (new FileInfo(full).Length > 4L * PlanLimits.MaxScriptLength)
            {
                reader.Error(path, node, $"The script file '{full}' is longer than a script may be ({PlanLimits.MaxScriptLength} characters).");
                return null;
            }

            return File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reader.Error(path, node, $"Cannot read the script file '{full}': {e.Message}");
            return null;
        }
    }

    private FileDistributionSpec? ReadFiles(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "files", FilesFields);
        if (f is null)
        {
            return null;
        }

        return new FileDistributionSpec
        {
            Sources = f.List("sources", ReadFileSource),
            TargetDirectory = f.String("targetDirectory") ?? "",
            Mode = f.String("mode"),
        };
    }

    private FileSource? ReadFileSource(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "a file source", SourceFields);
        if (f is null)
        {
            return null;
        }

        return new FileSource
        {
            Name = f.String("name"),
            Sha256 = f.String("sha256"),
            FromHost = f.String("fromHost"),
            Path = f.String("path"),
        };
    }

    private ApprovalSpec? ReadApproval(YamlNode node, string path)
    {
        var f = reader.Mapping(node, path, "an approval", ApprovalFields);
        if (f is null)
        {
            return null;
        }

        return new ApprovalSpec
        {
            Approvers = f.Strings("approvers"),
            Required = f.Int("required") ?? 1,
            Timeout = f.Duration("timeout"),
            OnTimeout = f.Enum<ApprovalTimeoutAction>("onTimeout") ?? ApprovalTimeoutAction.Reject,
            Message = f.String("message"),
        };
    }
}
