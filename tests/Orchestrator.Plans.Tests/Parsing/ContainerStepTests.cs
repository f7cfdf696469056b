using System.Text.Json;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;
using Orchestrator.Plans.Serialization;
using Orchestrator.Plans.Tests.Support;
using Orchestrator.Plans.Validation;

namespace Orchestrator.Plans.Tests.Parsing;

/// <summary>The container step kind: its block in YAML and JSON, cluster targets, the pod template form, and its errors.</summary>
public sealed class ContainerStepTests
{
    private const string Head = "name: p\nparameters: [{name: version}, {name: token, type: secret}]\nsteps:\n  - name: s\n    targets: {clusters: [eu-1]}\n";

    private static PlanDefinition WithParameters(params StepDefinition[] steps) => SamplePlans.WithSteps(steps) with
    {
        Parameters = [new ParameterDefinition { Name = "version" }, new ParameterDefinition { Name = "token", Type = ParameterType.Secret }],
    };

    private static PlanParseResult Parse(string yaml)
    {
        var result = PlanParser.ParseYaml(yaml);
        return result;
    }

    [Fact]
    public void ParseYaml_FullContainerBlock_EveryFieldRead()
    {
        var result = Parse("""
            name: p
            parameters: [{name: version}, {name: token, type: secret}]
            steps:
              - name: dump
                targets: {clusters: [eu-1, eu-2], clusterSelector: "env=prod,region in (eu)", dispatch: each}
                container:
                  image: "registry.example.com/db-tools:${{ params.version }}"
                  command: [sh, -c]
                  args: ["mysqldump --all-databases > /backup/${{ attempt }}.sql", "yes", ""]
                  env: {DB_PASSWORD: "${{ params.token }}", MODE: full, N: "010"}
                  resources:
                    requests: {cpu: 500m, memory: 256Mi}
                    limits: {cpu: "2", memory: 1Gi, nvidia.com/gpu: "1"}
                  serviceAccount: backup
                  nodeSelector: {kubernetes.io/os: linux, pool: batch}
                  tolerations:
                    - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
                    - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 300}
                  volumes:
                    - {name: config, configMap: db-tools, mountPath: /etc/db-tools, readOnly: true}
                    - {name: creds, secret: db-creds, mountPath: /var/run/creds}
                  imagePullPolicy: IfNotPresent
                  restartPolicy: Never
                  namespace: batch
                  completions: 3
                  parallelism: 2
                  backoffLimit: 4
                  activeDeadlineSeconds: 1800
                  podFailurePolicy:
                    rules:
                      - {action: FailJob, onExitCodes: {containerName: main, operator: In, values: [42]}}
                      - {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}
                      - {action: Count, onExitCodes: {operator: NotIn, values: [0, 1]}}
                  ttlSecondsAfterFinished: 3600
                  completionMode: Indexed
                execution: {failureBudget: 1, targetTimeout: 1h, deadline: 2h, retry: {limit: 2}}
            """);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var expected = WithParameters(SamplePlans.FullContainerStep("dump")) with { Name = "p" };
        StructuralEquality.AssertEqual(expected, result.Plan);
    }

    [Fact]
    public void ParseYaml_ShortForm_ImageOnlyWithBalancedDefault()
    {
        var result = Parse(Head + "    container: busybox:1.36\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var step = result.Plan!.Steps[0];
        Assert.Equal(StepKind.Container, step.Kind);
        Assert.Equal("busybox:1.36", step.Container!.Image);
        Assert.Equal(["eu-1"], step.Targets!.Clusters);
        Assert.Null(step.Targets.Dispatch);
        Assert.Null(step.Container.Template);
    }

    [Fact]
    public void ParseJson_ContainerWithClusterSelector_Read()
    {
        var result = PlanParser.ParseJson("""
            {"name": "p", "steps": [{"name": "s", "kind": "container", "targets": {"clusterSelector": "env=prod", "dispatch": "balanced"},
              "container": {"image": "alpine", "command": ["echo"], "args": ["hi"], "completions": 2, "completionMode": "NonIndexed"}}]}
            """);

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var step = result.Plan!.Steps[0];
        Assert.Equal(("env=prod", ClusterDispatch.Balanced), (step.Targets!.ClusterSelector, step.Targets.Dispatch));
        Assert.Equal((2, CompletionMode.NonIndexed), (step.Container!.Completions, step.Container.CompletionMode));
        Assert.Equal(["echo"], step.Container.Command);
    }

    [Fact]
    public void ParseYaml_PodTemplate_KeptAsJsonTreeWithYamlTypes()
    {
        var result = Parse(Head + """
                container:
                  template:
                    metadata: {labels: {app: migrate}}
                    spec:
                      restartPolicy: OnFailure
                      securityContext: {runAsUser: 1000, runAsNonRoot: true}
                      containers:
                        - name: migrate
                          image: "app:${{ params.version }}"
                          args: ["--steps", "3"]
                          env: [{name: RETRIES, value: "5"}, {name: EMPTY, value: ~}]
                          resources: {limits: {cpu: 0.5}}
                      volumes: [{name: scratch, emptyDir: {}}]
                  env: {TOKEN: "${{ params.token }}"}
                  backoffLimit: 1
            """ + "\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var container = result.Plan!.Steps[0].Container!;
        Assert.Null(container.Image);
        Assert.Equal(1, container.BackoffLimit);
        Assert.Equal("${{ params.token }}", container.Env["TOKEN"]);
        var expected = JsonDocument.Parse("""
            {"metadata": {"labels": {"app": "migrate"}},
             "spec": {"restartPolicy": "OnFailure", "securityContext": {"runAsUser": 1000, "runAsNonRoot": true},
               "containers": [{"name": "migrate", "image": "app:${{ params.version }}", "args": ["--steps", "3"],
                 "env": [{"name": "RETRIES", "value": "5"}, {"name": "EMPTY", "value": null}], "resources": {"limits": {"cpu": 0.5}}}],
               "volumes": [{"name": "scratch", "emptyDir": {}}]}}
            """).RootElement;
        Assert.True(JsonElement.DeepEquals(expected, container.Template!.Value), container.Template.Value.GetRawText());
    }

    [Fact]
    public void ParseYaml_TemplateBesideImage_OneErrorNamingTheFields()
    {
        var result = Parse(Head + "    container:\n      image: a\n      args: [x]\n      template: {spec: {containers: [{name: a, image: b}]}}\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal("steps[0].container.template", error.Path);
        Assert.Contains("'image', 'args'", error.Message, StringComparison.Ordinal);
        Assert.Equal((9, 17), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{metadata: {name: x}, spec: {containers: [{name: a, image: b}]}}", "steps[0].container.template.metadata.name", "Unknown field 'name'", 7, 29)]
    [InlineData("{spec: {containers: []}}", "steps[0].container.template.spec.containers", "at least one container", 7, 37)]
    [InlineData("{spec: {}}", "steps[0].container.template.spec.containers", "needs 'containers'", 7, 24)]
    [InlineData("{metadata: {}}", "steps[0].container.template.spec", "needs 'spec'", 7, 17)]
    [InlineData("{spec: {containers: [{name: a}]}}", "steps[0].container.template.spec.containers[0].image", "needs an 'image'", 7, 38)]
    [InlineData("{spec: {containers: [{name: A_b, image: x}]}}", "steps[0].container.template.spec.containers[0].name", "not a container name", 7, 45)]
    [InlineData("{spec: {containers: [{name: a, image: x}, {name: a, image: y}]}}", "steps[0].container.template.spec.containers[1].name", "used twice", 7, 66)]
    [InlineData("{spec: {containers: [{name: a, image: x, imagePolicy: y}]}}", "steps[0].container.template.spec.containers[0].imagePolicy", "Unknown field", 7, 58)]
    [InlineData("{spec: {restartPolicy: Always, containers: [{name: a, image: x}]}}", "steps[0].container.template.spec.restartPolicy", "Never or OnFailure", 7, 40)]
    [InlineData("{spec: {containerz: []}}", "steps[0].container.template.spec.containerz", "Did you mean 'containers'?", 7, 25)]
    [InlineData("[a]", "steps[0].container.template", "Expected a pod template", 7, 17)]
    public void ParseYaml_BadPodTemplate_ErrorWithPathAndPosition(string template, string path, string messagePart, int line, int column)
    {
        var result = Parse(Head + "    container:\n      template: " + template + "\n");

        var error = Assert.Single(result.Errors, e => e.Path == path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.DoesNotContain(result.Errors, e => e.Path == "steps[0].container.image");
    }

    [Theory]
    [InlineData("{image: a, resources: {limits: {cpu: lots}}}", "steps[0].container.resources.limits.cpu", "not a Kubernetes quantity")]
    [InlineData("{image: a, resources: {requests: {disk: 1Gi}}}", "steps[0].container.resources.requests.disk", "not a resource name")]
    [InlineData("{image: a, volumes: [{name: v, configMap: c, secret: s, mountPath: /x}]}", "steps[0].container.volumes[0]", "exactly one of them")]
    [InlineData("{image: a, volumes: [{name: v, configMap: c, mountPath: x}]}", "steps[0].container.volumes[0].mountPath", "absolute mountPath")]
    [InlineData("{image: a, tolerations: [{key: k, tolerationSeconds: 5}]}", "steps[0].container.tolerations[0].tolerationSeconds", "only with effect NoExecute")]
    [InlineData("{image: a, tolerations: [{operator: Exists, key: k, value: v}]}", "steps[0].container.tolerations[0].value", "has no value")]
    [InlineData("{image: a, imagePullPolicy: Sometimes}", "steps[0].container.imagePullPolicy", "Expected one of always, ifNotPresent, never")]
    [InlineData("{image: a, serviceAccount: Backup_SA}", "steps[0].container.serviceAccount", "not a service account name")]
    [InlineData("{image: a, namespace: Batch}", "steps[0].container.namespace", "not a Kubernetes namespace")]
    [InlineData("{image: a, nodeSelector: {pool: 'bad value'}}", "steps[0].container.nodeSelector.pool", "not a label value")]
    [InlineData("{image: a, completions: 0}", "steps[0].container.completions", "completions must be 1 to 100000")]
    [InlineData("{image: a, backoffLimit: 101}", "steps[0].container.backoffLimit", "backoffLimit must be 0 to 100")]
    [InlineData("{image: a, completionMode: Indexed}", "steps[0].container.completionMode", "needs 'completions'")]
    [InlineData("{image: a, restartPolicy: OnFailure, podFailurePolicy: {rules: [{action: Count, onExitCodes: {operator: In, values: [1]}}]}}", "steps[0].container.restartPolicy", "needs restartPolicy Never")]
    [InlineData("{image: a, podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [1]}}]}}", "steps[0].container.podFailurePolicy.rules[0].action", "backoffLimitPerIndex")]
    [InlineData("{image: a, podFailurePolicy: {rules: [{action: Count}]}}", "steps[0].container.podFailurePolicy.rules[0]", "exactly one of onExitCodes and onPodConditions")]
    [InlineData("{image: a, podFailurePolicy: {rules: [{action: Count, onExitCodes: {operator: In, values: [0]}}]}}", "steps[0].container.podFailurePolicy.rules[0].onExitCodes.values[0]", "0 cannot be used with the In operator")]
    [InlineData("{image: a, podFailurePolicy: {rules: [{action: Count, onExitCodes: {containerName: sidecar, operator: In, values: [1]}}]}}", "steps[0].container.podFailurePolicy.rules[0].onExitCodes.containerName", "no container named 'sidecar'; it has main")]
    [InlineData("{image: a, podFailurePolicy: {rules: [{action: Count, onPodConditions: [{type: DisruptionTarget, status: yes}]}]}}", "steps[0].container.podFailurePolicy.rules[0].onPodConditions[0].status", "True, False or Unknown")]
    [InlineData("{image: a, args: ['${{ params.token }}']}", "steps[0].container.args[0]", "written in the Job in clear")]
    [InlineData("{image: 'a:${{ params.token }}'}", "steps[0].container.image", "secret parameter")]
    [InlineData("{template: {spec: {containers: [{name: a, image: b, args: ['${{ params.token }}']}]}}}", "steps[0].container.template.spec.containers[0].args[0]", "written in the Job in clear")]
    [InlineData("{image: a, args: ['${{ host }}']}", "steps[0].container.args[0]", "runs on clusters, not hosts")]
    [InlineData("{image: a, env: {ORCH_X: y}}", "steps[0].container.env.ORCH_X", "set by the orchestrator")]
    [InlineData("{image: 'a b'}", "steps[0].container.image", "white space")]
    [InlineData("{args: [x]}", "steps[0].container.image", "needs an image")]
    [InlineData("{image: a, imagee: b}", "steps[0].container.imagee", "Did you mean 'image'?")]
    public void ParseYaml_BadContainerField_ErrorWithPath(string container, string path, string messagePart)
    {
        var result = Parse(Head + "    container: " + container + "\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void ParseYaml_SecretParameterInEnv_Allowed()
    {
        var result = Parse(Head + "    container: {image: a, env: {PASSWORD: 'p=${{ params.token }}'}}\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
    }

    [Theory]
    [InlineData("{parallelism: 2}", "steps[0].execution.parallelism", "container.parallelism")]
    [InlineData("{completions: 2}", "steps[0].execution.completions", "container.completions")]
    [InlineData("{backoffLimit: 2}", "steps[0].execution.backoffLimit", "container.backoffLimit")]
    [InlineData("{activeDeadlineSeconds: 60}", "steps[0].execution.activeDeadlineSeconds", "container.activeDeadlineSeconds")]
    [InlineData("{podFailurePolicy: {rules: []}}", "steps[0].execution.podFailurePolicy", "container.podFailurePolicy")]
    [InlineData("{exitCodes: [{codes: [1]}]}", "steps[0].execution.exitCodes", "container.podFailurePolicy")]
    [InlineData("{successPolicy: 1}", "steps[0].execution.successPolicy", "completions")]
    [InlineData("{rolling: '1 +1'}", "steps[0].execution.rolling", "several steps")]
    public void ParseYaml_ExecutionFieldThatIsTheJobs_ErrorPointingAtContainer(string execution, string path, string messagePart)
    {
        var result = Parse(Head + "    container: a\n    execution: " + execution + "\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void ParseYaml_ExecutionAcrossClusters_Accepted()
    {
        var result = Parse(Head + "    container: a\n    execution: {failureBudget: 50%, retry: {limit: 3, initialBackoff: 1m}, deadline: 1h, targetTimeout: 30m}\n");

        Assert.True(result.Ok, string.Join("\n", result.Errors));
        var execution = result.Plan!.Steps[0].Execution;
        Assert.Equal((3, TimeSpan.FromHours(1), TimeSpan.FromMinutes(30)), (execution.Retry.Limit, execution.Deadline, execution.TargetTimeout));
    }

    [Theory]
    [InlineData("{hosts: [web-1], clusters: [eu-1]}", "steps[0].targets.hosts", "runs on clusters, not hosts")]
    [InlineData("{selector: role=web}", "steps[0].targets.selector", "runs on clusters, not hosts")]
    [InlineData("{clusters: [EU_1]}", "steps[0].targets.clusters[0]", "not a cluster name")]
    [InlineData("{clusters: [a, a]}", "steps[0].targets.clusters[1]", "listed twice")]
    [InlineData("{clusterSelector: 'env in (a'}", "steps[0].targets.clusterSelector", "not valid at position")]
    [InlineData("{dispatch: each}", "steps[0].targets", "needs cluster targets")]
    [InlineData("{clusters: [a], dispatch: all}", "steps[0].targets.dispatch", "Expected one of balanced, each")]
    public void ParseYaml_BadClusterTargets_ErrorNamingTheField(string targets, string path, string messagePart)
    {
        var result = Parse("name: p\nsteps:\n  - name: s\n    targets: " + targets + "\n    container: a\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{hosts: [h], clusters: [eu-1]}", "steps[0].targets.clusters")]
    [InlineData("{hosts: [h], clusterSelector: env=prod}", "steps[0].targets.clusterSelector")]
    [InlineData("{hosts: [h], dispatch: each}", "steps[0].targets.dispatch")]
    public void ParseYaml_ClusterTargetsOnScriptStep_ErrorNamingTheField(string targets, string path)
    {
        var result = Parse("name: p\nsteps:\n  - name: s\n    targets: " + targets + "\n    script: echo\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(path, error.Path);
        Assert.Contains("is for container steps", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseYaml_ContainerAndScript_ErrorNamingBoth()
    {
        var error = Assert.Single(Parse(Head + "    script: echo\n    container: a\n").Errors);

        Assert.Equal("steps[0].kind", error.Path);
        Assert.Contains("'script' and 'container'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_LaterStepUsingContainerStepHostsOrOutputs_Errors()
    {
        var plan = SamplePlans.WithSteps(
            SamplePlans.ContainerStep("job"),
            SamplePlans.ScriptStep("after", "echo ${{ steps.job.outputs.x }}") with { Targets = new TargetSpec { FromStep = new StepHostsReference { Step = "job" } } });

        var errors = PlanValidator.Validate(plan);

        Assert.Contains(errors, e => e.Path == "steps[1].targets.fromStep.step" && e.Message.Contains("ran on clusters, not hosts", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "steps[1].script.source" && e.Message.Contains("container step and has no outputs", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Validate_AttemptInContainerStep_Allowed()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.ContainerStep("job") with
        {
            Container = new ContainerSpec { Image = "a", Args = ["--attempt=${{ attempt }}", "${{ task.id }}"] },
        });

        Assert.Empty(PlanValidator.Validate(plan));
    }

    [Fact]
    public void Validate_ModelTemplateWithoutContainers_Error()
    {
        var plan = SamplePlans.WithSteps(SamplePlans.ContainerStep("job") with
        {
            Container = new ContainerSpec { Template = JsonDocument.Parse("""{"spec": {"containers": [{"name": "a"}]}}""").RootElement },
        });

        var error = Assert.Single(PlanValidator.Validate(plan));
        Assert.Equal("steps[0].container.template.spec.containers[0].image", error.Path);
    }

    [Theory]
    [InlineData("yaml")]
    [InlineData("json")]
    public void Serialize_ContainerSteps_ParsedBackEqual(string format)
    {
        var template = JsonDocument.Parse("""
            {"metadata": {"labels": {"app": "m"}, "annotations": {"note": "yes"}},
             "spec": {"restartPolicy": "Never", "terminationGracePeriodSeconds": 30, "hostNetwork": false,
               "containers": [{"name": "m", "image": "app:${{ params.version }}", "args": ["--n", "3", "true", ""],
                 "env": [{"name": "E", "value": null}], "resources": {"limits": {"cpu": 1.5}}}],
               "volumes": [{"name": "s", "emptyDir": {}}], "tolerations": []}}
            """).RootElement;
        var plan = WithParameters(
            SamplePlans.FullContainerStep("dump"),
            SamplePlans.ContainerStep("migrate") with
            {
                Container = new ContainerSpec { Template = template, Env = new Dictionary<string, string> { ["T"] = "${{ params.token }}" }, BackoffLimit = 0 },
            },
            SamplePlans.ContainerStep("short"));
        Assert.Empty(PlanValidator.Validate(plan));

        var text = format == "json" ? PlanSerializer.ToJson(plan) : PlanSerializer.ToYaml(plan);
        var back = format == "json" ? PlanParser.ParseJson(text) : PlanParser.ParseYaml(text);

        Assert.True(back.Ok, text + "\n" + string.Join("\n", back.Errors));
        StructuralEquality.AssertEqual(plan, back.Plan);
        Assert.DoesNotContain("kind:", text, StringComparison.Ordinal);
        Assert.Contains("IfNotPresent", text, StringComparison.Ordinal);
    }
}
