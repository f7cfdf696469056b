// The end-to-end tests run the CLI against a silo on Linux (tmux, file permissions): the project is Linux-only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
