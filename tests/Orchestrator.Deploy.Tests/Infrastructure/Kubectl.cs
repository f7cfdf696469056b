using System.Diagnostics;
using System.Text.Json;

namespace Orchestrator.Deploy.Tests.Infrastructure;

/// <summary>
/// The <c>kubectl</c> on PATH, when there is one (<c>.ci/run</c> installs Debian's <c>kubernetes-client</c> when none is).
/// Run with an empty kubeconfig of its own unless <c>ORCH_TEST_KUBECONFIG</c> names one: these tests never reach a
/// cluster by accident.
/// </summary>
internal static class Kubectl
{
    public static bool Available { get; } = Find() is not null;

    /// <summary>The kustomize version built into kubectl (<c>v5.5.0</c>), or null when it says none.</summary>
    public static Version? KustomizeVersion { get; } = ReadKustomizeVersion();

    /// <summary>Whether <c>kubectl kustomize</c> understands our kustomizations (<c>labels</c>, <c>replicas</c>, <c>patches</c>: kustomize 4 or later; Debian 12's kubectl 1.20 has 2.0.3).</summary>
    public static bool KustomizeUsable => KustomizeVersion is { Major: >= 4 };

    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var path = Find() ?? throw new InvalidOperationException("kubectl is not on PATH.");
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        var kubeconfig = Environment.GetEnvironmentVariable("ORCH_TEST_KUBECONFIG");
        if (string.IsNullOrEmpty(kubeconfig))
        {
            kubeconfig = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "orch-deploy-tests-empty-kubeconfig");
            File.WriteAllText(kubeconfig, "");
        }
        info.Environment["KUBECONFIG"] = kubeconfig;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not end within 2 minutes.");
        }
        return (process.ExitCode, output.Result, error.Result);
    }

    private static string? Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => System.IO.Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);

    private static Version? ReadKustomizeVersion()
    {
        if (!Available)
        {
            return null;
        }
        var (code, output, _) = Run("version", "--client", "-o", "json");
        if (code != 0)
        {
            return null;
        }
        using var json = JsonDocument.Parse(output);
        return json.RootElement.TryGetProperty("kustomizeVersion", out var version) && Version.TryParse(version.GetString()?.TrimStart('v'), out var parsed)
            ? parsed : null;
    }
}
