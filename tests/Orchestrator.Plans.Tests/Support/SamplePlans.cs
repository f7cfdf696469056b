using Orchestrator.Plans.Model;

namespace Orchestrator.Plans.Tests.Support;

/// <summary>Valid plans to start a test from; tests change one thing with <c>with</c>.</summary>
internal static class SamplePlans
{
    public static StepDefinition ScriptStep(string name, string source = "echo hi") => new()
    {
        Name = name,
        Kind = StepKind.Script,
        Targets = new TargetSpec { Hosts = ["web-1"] },
        Script = new ScriptSpec { Source = source },
    };

    public static StepDefinition FileStep(string name) => new()
    {
        Name = name,
        Kind = StepKind.FileDistribution,
        Targets = new TargetSpec { Hosts = ["web-1"] },
        Files = new FileDistributionSpec
        {
            Sources = [new FileSource { Name = "app.tar.gz", Sha256 = new string('a', 64) }],
            TargetDirectory = "/opt/app",
        },
    };

    public static StepDefinition ApprovalStep(string name) => new()
    {
        Name = name,
        Kind = StepKind.Approval,
        Approval = new ApprovalSpec { Message = "go?" },
    };

    public static PlanDefinition WithSteps(params StepDefinition[] steps) => new() { Name = "test plan", Steps = steps };

    public static PlanDefinition Minimal() => WithSteps(ScriptStep("only"));

    /// <summary>A plan that sets every field of the model to something other than its default.</summary>
    public static PlanDefinition Everything() => new()
    {
        Name = "everything: \"quoted\" & <odd>",
        Description = "multi\nline description\n",
        Parameters =
        [
            new ParameterDefinition { Name = "version", Required = true, Description = "release" },
            new ParameterDefinition { Name = "token", Type = ParameterType.Secret, Default = "null" },
            new ParameterDefinition { Name = "servers", Type = ParameterType.HostList, Default = "web-1,web-2" },
            new ParameterDefinition { Name = "count", Default = "0644" },
            new ParameterDefinition { Name = "flag", Default = "true" },
            new ParameterDefinition { Name = "empty", Default = "" },
        ],
        Steps =
        [
            new StepDefinition
            {
                Name = "build",
                Kind = StepKind.Script,
                Targets = new TargetSpec
                {
                    Hosts = ["build-1", "10.0.0.5"],
                    Selector = "role=build,zone in (a,b)",
                    Parameter = "servers",
                },
                Script = new ScriptSpec
                {
                    Interpreter = "bash",
                    Source = "#!/bin/bash\nset -e\n  indented line\n\techo \"${{ params.version }}\" # trailing  \necho '::set-output artifact=x'",
                    Args = ["--fast", "${{ params.version }}", "yes", ""],
                    Env = new Dictionary<string, string> { ["MODE"] = "fast", ["EMPTY"] = "", ["NUM"] = "010" },
                    WorkingDirectory = "/tmp/work dir",
                },
                Execution = new ExecutionSpec
                {
                    Parallelism = 5,
                    Rolling = new RollingSpec { Expression = "1 10% +5 *2", Mode = RollingMode.Confirm },
                    FailureBudget = new Quantity(10, true),
                    SuccessPolicy = new Quantity(3, false),
                    TargetTimeout = TimeSpan.FromMinutes(90),
                    Deadline = TimeSpan.FromMilliseconds(1500),
                    Retry = new RetryPolicy
                    {
                        Limit = 3,
                        InitialBackoff = TimeSpan.FromSeconds(1),
                        MaxBackoff = TimeSpan.FromDays(1),
                        Factor = 1.5,
                    },
                    ExitCodes =
                    [
                        new ExitCodeRule { Codes = [3, 4], Action = ExitCodeAction.FailStep },
                        new ExitCodeRule { Codes = [0, 255], Action = ExitCodeAction.Ignore },
                        new ExitCodeRule { Codes = [1] },
                        new ExitCodeRule { Codes = [0, 1, 2], Operator = ExitCodeOperator.NotIn, Action = ExitCodeAction.FailTarget },
                    ],
                },
                ContinueOnError = true,
            },
            new StepDefinition
            {
                Name = "copy",
                Kind = StepKind.FileDistribution,
                Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "build", Outcome = StepHostsOutcome.Failed } },
                Files = new FileDistributionSpec
                {
                    Sources =
                    [
                        new FileSource { Name = "app.tar.gz", Sha256 = new string('f', 64) },
                        new FileSource { FromHost = "build-1", Path = "${{ steps.build.outputs.artifact }}", Name = "artifact" },
                        new FileSource { FromHost = "build-1", Path = "/etc/app.conf" },
                    ],
                    TargetDirectory = "/opt/app",
                    Mode = "0644",
                },
                Execution = new ExecutionSpec { Retry = new RetryPolicy { Limit = 1 } },
            },
            new StepDefinition
            {
                Name = "approve",
                Kind = StepKind.Approval,
                Approval = new ApprovalSpec
                {
                    Approvers = ["alice", "bob@example.com"],
                    Required = 2,
                    Timeout = TimeSpan.FromHours(4),
                    OnTimeout = ApprovalTimeoutAction.Approve,
                    Message = "Deploy ${{ params.version }} to ${{ steps.copy.succeededHosts }}?",
                },
            },
            new StepDefinition
            {
                Name = "switch",
                Kind = StepKind.Script,
                Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "copy" } },
                Script = new ScriptSpec { Interpreter = "python3", Source = "print('${{ host }} ${{ attempt }} ${{ task.id }} ${{ step.name }}')" },
                Execution = new ExecutionSpec { FailureBudget = new Quantity(2, false), SuccessPolicy = new Quantity(50, true) },
            },
            new StepDefinition
            {
                Name = "notify",
                Kind = StepKind.Http,
                Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "switch" } },
                Http = new HttpSpec
                {
                    Method = "POST",
                    Url = "https://${{ host }}:8443/hooks/deployed?v=${{ params.version }}",
                    Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer ${{ params.token }}" },
                    Body = "{\"version\": \"${{ params.version }}\"}\n",
                    ExpectStatus = ["204", "2xx", "301"],
                    Timeout = TimeSpan.FromSeconds(15),
                    FollowRedirects = false,
                },
            },
        ],
        TtlAfterFinished = TimeSpan.FromMinutes(90),
    };

    public static StepDefinition HttpStep(string name, string url = "https://web-1/health") => new()
    {
        Name = name,
        Kind = StepKind.Http,
        Targets = new TargetSpec { Hosts = ["web-1"] },
        Http = new HttpSpec { Url = url },
    };

    public static StepDefinition ContainerStep(string name, string image = "busybox:1.36") => new()
    {
        Name = name,
        Kind = StepKind.Container,
        Targets = new TargetSpec { Clusters = ["eu-1"] },
        Container = new ContainerSpec { Image = image },
    };

    /// <summary>A container step that sets every field of <see cref="ContainerSpec"/> but the template.</summary>
    public static StepDefinition FullContainerStep(string name) => new()
    {
        Name = name,
        Kind = StepKind.Container,
        Targets = new TargetSpec { Clusters = ["eu-1", "eu-2"], ClusterSelector = "env=prod,region in (eu)", Dispatch = ClusterDispatch.Each },
        Container = new ContainerSpec
        {
            Image = "registry.example.com/db-tools:${{ params.version }}",
            Command = ["sh", "-c"],
            Args = ["mysqldump --all-databases > /backup/${{ attempt }}.sql", "yes", ""],
            Env = new Dictionary<string, string> { ["DB_PASSWORD"] = "${{ params.token }}", ["MODE"] = "full", ["N"] = "010" },
            Resources = new ContainerResources
            {
                Requests = new Dictionary<string, string> { ["cpu"] = "500m", ["memory"] = "256Mi" },
                Limits = new Dictionary<string, string> { ["cpu"] = "2", ["memory"] = "1Gi", ["nvidia.com/gpu"] = "1" },
            },
            ServiceAccount = "backup",
            NodeSelector = new Dictionary<string, string> { ["kubernetes.io/os"] = "linux", ["pool"] = "batch" },
            Tolerations =
            [
                new ContainerToleration { Key = "dedicated", Operator = TolerationOperator.Equal, Value = "batch", Effect = TaintEffect.NoSchedule },
                new ContainerToleration { Key = "node.kubernetes.io/unreachable", Operator = TolerationOperator.Exists, Effect = TaintEffect.NoExecute, TolerationSeconds = 300 },
            ],
            Volumes =
            [
                new ContainerVolume { Name = "config", ConfigMap = "db-tools", MountPath = "/etc/db-tools", ReadOnly = true },
                new ContainerVolume { Name = "creds", Secret = "db-creds", MountPath = "/var/run/creds" },
            ],
            ImagePullPolicy = ImagePullPolicy.IfNotPresent,
            RestartPolicy = ContainerRestartPolicy.Never,
            Namespace = "batch",
            Completions = 3,
            Parallelism = 2,
            BackoffLimit = 4,
            ActiveDeadlineSeconds = 1800,
            PodFailurePolicy =
            [
                new PodFailureRule { Action = PodFailureAction.FailJob, OnExitCodes = new PodFailureExitCodes { ContainerName = "main", Values = [42] } },
                new PodFailureRule { Action = PodFailureAction.Ignore, OnPodConditions = [new PodFailureCondition { Type = "DisruptionTarget" }] },
                new PodFailureRule { Action = PodFailureAction.Count, OnExitCodes = new PodFailureExitCodes { Operator = ExitCodeOperator.NotIn, Values = [0, 1] } },
            ],
            TtlSecondsAfterFinished = 3600,
            CompletionMode = CompletionMode.Indexed,
        },
        Execution = new ExecutionSpec
        {
            FailureBudget = new Quantity(1, false),
            TargetTimeout = TimeSpan.FromHours(1),
            Deadline = TimeSpan.FromHours(2),
            Retry = new RetryPolicy { Limit = 2 },
        },
    };
}
