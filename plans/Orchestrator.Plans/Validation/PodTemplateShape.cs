namespace Orchestrator.Plans.Validation;

/// <summary>
/// The keys a container step's pod template may have where its shape is checked: Kubernetes' <c>PodSpec</c> and
/// <c>Container</c> fields, as the Kubernetes client library's model names them (the containers tests compare them).
/// </summary>
public static class PodTemplateShape
{
    /// <summary>Kubernetes' <c>PodSpec</c> fields (checked against the client library's model in the containers tests).</summary>
    public static readonly IReadOnlyList<string> PodSpecFields =
    [
        "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig", "dnsPolicy",
        "enableServiceLinks", "ephemeralContainers", "evictionResponders", "hostAliases", "hostIPC", "hostNetwork", "hostPID",
        "hostUsers", "hostname", "hostnameOverride", "imagePullSecrets", "initContainers", "nodeName", "nodeSelector", "os", "overhead",
        "preemptionPolicy", "priority", "priorityClassName", "readinessGates", "resourceClaims", "resources",
        "restartPolicy", "runtimeClassName", "schedulerName", "schedulingGates", "schedulingGroup", "securityContext", "serviceAccount",
        "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain", "terminationGracePeriodSeconds",
        "tolerations", "topologySpreadConstraints", "volumes",
    ];

    /// <summary>Kubernetes' <c>Container</c> fields (checked against the client library's model in the containers tests).</summary>
    public static readonly IReadOnlyList<string> ContainerFields =
    [
        "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "name", "ports",
        "readinessProbe", "resizePolicy", "resources", "restartPolicy", "restartPolicyRules", "securityContext", "startupProbe", "stdin",
        "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts",
        "workingDir",
    ];
}
