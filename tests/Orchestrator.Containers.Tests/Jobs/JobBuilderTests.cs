using System.Text.Json;
using k8s;
using k8s.Models;
using Orchestrator.Containers.Jobs;
using Orchestrator.Plans.Model;
using Orchestrator.Plans.Parsing;

namespace Orchestrator.Containers.Tests.Jobs;

/// <summary>
/// The Job built from a container step, field by field against the plan it was parsed from; and the rule that a secret
/// value never appears in the Job, only in the Secret beside it.
/// </summary>
public sealed class JobBuilderTests
{
    private const string Password = "s3cr3t+P@ss/word";
    private const string Token = "tok-9d8e7f6a5b4c";

    private static readonly JobIdentity Identity = new("inst-42", 1, "dump", "eu-1", 2);

    private static readonly IReadOnlyDictionary<string, string> Values = new Dictionary<string, string>
    {
        ["version"] = "1.4.2",
        ["dbPassword"] = Password,
        ["apiToken"] = Token,
    };

    private const string Head = """
        name: backup
        parameters: [{name: version}, {name: dbPassword, type: secret}, {name: apiToken, type: secret}]
        steps:
          - name: dump
            targets: {clusters: [eu-1]}

        """;

    /// <summary>The step's container parsed from YAML (so it passed the validator) and rendered as the runner will.</summary>
    private static ContainerSpec Step(string container)
    {
        var result = PlanParser.ParseYaml(Head + container);
        Assert.True(result.Ok, string.Join("\n", result.Errors));
        return ContainerSpecRenderer.Render(result.Plan!.Steps[0].Container!, Resolve);
    }

    private static string? Resolve(string expression) => expression switch
    {
        "attempt" => Identity.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ when expression.StartsWith("params.", StringComparison.Ordinal) => Values[expression["params.".Length..]],
        _ => null,
    };

    private static BuiltJob Build(ContainerSpec spec) => JobBuilder.Build(spec, [Password, Token], Identity, "jobs");

    private const string Full = """
            container:
              image: "registry.example.com/db-tools:${{ params.version }}"
              command: [sh, -c]
              args: ["mysqldump --all-databases > /backup/${{ attempt }}.sql"]
              env: {MYSQL_PWD: "${{ params.dbPassword }}", AUTH: "Bearer ${{ params.apiToken }}", MODE: full}
              resources:
                requests: {cpu: 500m, memory: 256Mi}
                limits: {memory: 1Gi, nvidia.com/gpu: "1"}
              serviceAccount: backup
              nodeSelector: {pool: batch}
              tolerations:
                - {key: dedicated, operator: Equal, value: batch, effect: NoSchedule}
                - {operator: Exists, effect: NoExecute, tolerationSeconds: 300}
              volumes:
                - {name: config, configMap: db-tools, mountPath: /etc/db-tools, readOnly: true}
                - {name: creds, secret: db-creds, mountPath: /var/run/creds}
              imagePullPolicy: IfNotPresent
              namespace: batch
              completions: 3
              parallelism: 2
              backoffLimit: 4
              activeDeadlineSeconds: 1800
              podFailurePolicy:
                rules:
                  - {action: FailJob, onExitCodes: {containerName: main, operator: In, values: [42]}}
                  - {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}
              ttlSecondsAfterFinished: 3600
              completionMode: Indexed
        """;

    [Fact]
    public void Build_EveryField_InTheJob()
    {
        var job = Build(Step(Full)).Job;

        Assert.Equal(("batch/v1", "Job", Identity.JobName, "batch"), (job.ApiVersion, job.Kind, job.Metadata.Name, job.Metadata.NamespaceProperty));
        var spec = job.Spec;
        Assert.Equal((3, 2, 4), (spec.Completions, spec.Parallelism, spec.BackoffLimit));
        Assert.Equal((1800L, 3600), (spec.ActiveDeadlineSeconds, spec.TtlSecondsAfterFinished));
        Assert.Equal("Indexed", spec.CompletionMode);
        Assert.Collection(spec.PodFailurePolicy.Rules,
            r =>
            {
                Assert.Equal("FailJob", r.Action);
                Assert.Equal(("main", "In"), (r.OnExitCodes.ContainerName, r.OnExitCodes.OperatorProperty));
                Assert.Equal([42], r.OnExitCodes.Values);
                Assert.Null(r.OnPodConditions);
            },
            r =>
            {
                Assert.Equal("Ignore", r.Action);
                Assert.Null(r.OnExitCodes);
                var condition = Assert.Single(r.OnPodConditions);
                Assert.Equal(("DisruptionTarget", "True"), (condition.Type, condition.Status));
            });

        var pod = spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy);
        Assert.Equal("backup", pod.ServiceAccountName);
        Assert.Equal("batch", pod.NodeSelector["pool"]);
        Assert.Collection(pod.Tolerations,
            t => Assert.Equal(("dedicated", "Equal", "batch", "NoSchedule", (long?)null), (t.Key, t.OperatorProperty, t.Value, t.Effect, t.TolerationSeconds)),
            t => Assert.Equal(((string?)null, "Exists", (string?)null, "NoExecute", (long?)300), (t.Key, t.OperatorProperty, t.Value, t.Effect, t.TolerationSeconds)));
        Assert.Collection(pod.Volumes,
            v => Assert.Equal(("config", "db-tools", (V1SecretVolumeSource?)null), (v.Name, v.ConfigMap.Name, v.Secret)),
            v => Assert.Equal(("creds", (V1ConfigMapVolumeSource?)null, "db-creds"), (v.Name, v.ConfigMap, v.Secret.SecretName)));

        var container = Assert.Single(pod.Containers);
        Assert.Equal(("main", "registry.example.com/db-tools:1.4.2", "IfNotPresent"), (container.Name, container.Image, container.ImagePullPolicy));
        Assert.Equal(["sh", "-c"], container.Command);
        Assert.Equal(["mysqldump --all-databases > /backup/2.sql"], container.Args);
        Assert.Equal(("500m", "256Mi"), (container.Resources.Requests["cpu"].ToString(), container.Resources.Requests["memory"].ToString()));
        Assert.Equal(("1Gi", "1"), (container.Resources.Limits["memory"].ToString(), container.Resources.Limits["nvidia.com/gpu"].ToString()));
        Assert.Collection(container.VolumeMounts,
            m => Assert.Equal(("config", "/etc/db-tools", (bool?)true), (m.Name, m.MountPath, m.ReadOnlyProperty)),
            m => Assert.Equal(("creds", "/var/run/creds", (bool?)null), (m.Name, m.MountPath, m.ReadOnlyProperty)));
    }

    [Fact]
    public void Build_SecretInEnv_SecretKeyRefToASecretHoldingTheWholeValue()
    {
        var built = Build(Step(Full));

        var env = built.Job.Spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name);
        Assert.Equal("full", env["MODE"].Value);
        foreach (var name in new[] { "MYSQL_PWD", "AUTH" })
        {
            Assert.Null(env[name].Value);
            Assert.Equal((Identity.JobName, name), (env[name].ValueFrom.SecretKeyRef.Name, env[name].ValueFrom.SecretKeyRef.Key));
        }

        var secret = Assert.IsType<V1Secret>(built.Secret);
        Assert.Equal((Identity.JobName, "batch", "Opaque", (bool?)true), (secret.Metadata.Name, secret.Metadata.NamespaceProperty, secret.Type, secret.Immutable));
        Assert.Equal(new Dictionary<string, string> { ["MYSQL_PWD"] = Password, ["AUTH"] = "Bearer " + Token }, secret.StringData);
        Assert.Equal(built.Job.Metadata.Labels, secret.Metadata.Labels);
    }

    [Fact]
    public void Build_SecretValues_NowhereInTheSerializedJob()
    {
        var built = Build(Step(Full));

        var json = KubernetesJson.Serialize(built.Job);
        Assert.DoesNotContain(Password, json, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        // Not even escaped: '+' and '/' are what a JSON writer may escape.
        Assert.DoesNotContain("s3cr3t", json, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-9d8e", json, StringComparison.Ordinal);
        Assert.Contains("secretKeyRef", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_PodTemplateWithSecretEnv_SecretsNowhereInTheSerializedJob()
    {
        var built = Build(Step("""
                container:
                  template:
                    spec:
                      containers:
                        - {name: app, image: "app:${{ params.version }}", env: [{name: A, value: "1"}]}
                        - {name: sidecar, image: proxy}
                  env: {TOKEN: "${{ params.apiToken }}"}
            """));

        var json = KubernetesJson.Serialize(built.Job);
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.All(built.Job.Spec.Template.Spec.Containers, c => Assert.Equal("TOKEN", c.Env.Single(e => e.ValueFrom is not null).Name));
        Assert.Equal(Token, built.Secret!.StringData["TOKEN"]);
    }

    [Fact]
    public void Build_PodTemplate_KeptWithLabelsAndStepEnvAdded()
    {
        var built = Build(Step("""
                container:
                  template:
                    metadata: {labels: {app: migrate}, annotations: {note: keep}}
                    spec:
                      restartPolicy: OnFailure
                      securityContext: {runAsUser: 1000, runAsNonRoot: true}
                      containers:
                        - name: migrate
                          image: "app:${{ params.version }}"
                          args: ["--to", "${{ params.version }}"]
                          env: [{name: MODE, value: "fast"}]
                          resources: {limits: {cpu: 0.5, memory: 64Mi}}
                      volumes: [{name: scratch, emptyDir: {}}]
                  env: {EXTRA: "x"}
                  backoffLimit: 0
            """));

        var template = built.Job.Spec.Template;
        Assert.Equal("migrate", template.Metadata.Labels["app"]);
        Assert.Equal("keep", template.Metadata.Annotations["note"]);
        Assert.Equal("inst-42", template.Metadata.Labels[JobLabels.Instance]);
        Assert.Equal(("OnFailure", 1000L, (bool?)true), (template.Spec.RestartPolicy, template.Spec.SecurityContext.RunAsUser, template.Spec.SecurityContext.RunAsNonRoot));
        var container = Assert.Single(template.Spec.Containers);
        Assert.Equal(("migrate", "app:1.4.2"), (container.Name, container.Image));
        Assert.Equal(["--to", "1.4.2"], container.Args);
        Assert.Equal(("500m", "64Mi"), (container.Resources.Limits["cpu"].ToString(), container.Resources.Limits["memory"].ToString()));
        Assert.Equal(["MODE", "ORCH_TASK_ID", "ORCH_STEP", "ORCH_STEP_ATTEMPT", "ORCH_CLUSTER", "EXTRA"], container.Env.Select(e => e.Name));
        Assert.NotNull(Assert.Single(template.Spec.Volumes).EmptyDir);
        Assert.Equal(0, built.Job.Spec.BackoffLimit);
        Assert.Null(built.Secret);
    }

    [Fact]
    public void Build_Defaults_NeverRestartClusterNamespaceNoSecretStandardEnv()
    {
        var built = Build(Step("    container: busybox:1.36\n"));

        Assert.Null(built.Secret);
        Assert.Equal("jobs", built.Job.Metadata.NamespaceProperty);
        var spec = built.Job.Spec;
        Assert.Equal("Never", spec.Template.Spec.RestartPolicy);
        Assert.Equal((null, null, null, null), (spec.Completions, spec.Parallelism, spec.BackoffLimit, spec.PodFailurePolicy));
        var env = spec.Template.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Equal(new Dictionary<string, string> { ["ORCH_TASK_ID"] = "inst-42", ["ORCH_STEP"] = "dump", ["ORCH_STEP_ATTEMPT"] = "2", ["ORCH_CLUSTER"] = "eu-1" }, env);
    }

    [Fact]
    public void Build_RestartPolicyOnFailure_WhenAsked() =>
        Assert.Equal("OnFailure", Build(Step("    container: {image: a, restartPolicy: OnFailure}\n")).Job.Spec.Template.Spec.RestartPolicy);

    [Fact]
    public void Build_LabelsAndAnnotations_NameTheRun()
    {
        var job = Build(Step("    container: a\n")).Job;

        Assert.Equal(new Dictionary<string, string>
        {
            ["app.kubernetes.io/managed-by"] = "orchestrator",
            [JobLabels.Instance] = "inst-42",
            [JobLabels.Step] = "1",
            [JobLabels.Cluster] = "eu-1",
            [JobLabels.Attempt] = "2",
        }, job.Metadata.Labels);
        Assert.Equal(("inst-42", "dump"), (job.Metadata.Annotations[JobLabels.InstanceAnnotation], job.Metadata.Annotations[JobLabels.StepNameAnnotation]));
        Assert.All(job.Metadata.Labels, l => Assert.Equal(l.Value, job.Spec.Template.Metadata.Labels[l.Key]));
    }

    [Theory]
    [InlineData("args")]
    [InlineData("image")]
    [InlineData("template")]
    public void Build_SecretValueOutsideEnv_RefusedWithoutTheValue(string field)
    {
        var spec = field switch
        {
            "args" => new ContainerSpec { Image = "a", Args = ["--password=" + Password] },
            "image" => new ContainerSpec { Image = "a:" + Token },
            _ => new ContainerSpec
            {
                Template = JsonDocument.Parse($$$"""{"spec": {"containers": [{"name": "a", "image": "b", "env": [{"name": "P", "value": "{{{Password}}}"}]}]}}""").RootElement,
            },
        };

        var error = Assert.Throws<ArgumentException>(() => Build(spec));
        Assert.Contains($"container.{field}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SerializedJob_ReadsBackEqual()
    {
        var job = Build(Step(Full)).Job;

        var json = KubernetesJson.Serialize(job);
        var back = KubernetesJson.Deserialize<V1Job>(json);

        Assert.Equal(json, KubernetesJson.Serialize(back));
        using var document = JsonDocument.Parse(json);
        Assert.Equal("batch/v1", document.RootElement.GetProperty("apiVersion").GetString());
        Assert.Equal("Indexed", document.RootElement.GetProperty("spec").GetProperty("completionMode").GetString());
    }

    [Fact]
    public void Build_SameIdentityTwice_SameJob() =>
        Assert.Equal(KubernetesJson.Serialize(Build(Step(Full)).Job), KubernetesJson.Serialize(Build(Step(Full)).Job));
}
