using System.Runtime.Versioning;

// The tests run real scripts under sh/setsid and read /proc: they are for Linux (as the agent's process-tree kill is).
[assembly: UnsupportedOSPlatform("windows")]
