using System.Security.Cryptography;
using Orchestrator.Agent.Protocol;
using Orchestrator.Agent.Transport;

namespace Orchestrator.Agent.Execution;

/// <summary>
/// Runs download and upload assignments. A download streams each file from <c>GET files/{sha256}</c> into a
/// temporary file beside its target, checks the SHA-256, applies the mode and moves it into place, so a target is
/// never left half-written; a transfer that breaks off starts over. An upload sends the file to <c>PUT files</c> and
/// reports the checksum the server stored.
/// </summary>
internal sealed class FileTransferExecutor(AgentApiClient client)
{
    private const int BufferSize = 81920;

    public async Task<ExecutionResult> DownloadAsync(Assignment assignment, AssignmentLog log, Action started, CancellationToken kill)
    {
        if (string.IsNullOrWhiteSpace(assignment.TargetDirectory))
        {
            log.System("The download assignment has no target directory.");
            return ExecutionResult.Error;
        }
        UnixFileMode? mode = null;
        if (assignment.Mode is { } text)
        {
            if (!TryParseMode(text, out var parsed))
            {
                log.System($"'{text}' is not an octal file mode such as 0644.");
                return ExecutionResult.Error;
            }
            mode = parsed;
        }
        var directory = assignment.TargetDirectory;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.System($"The target directory '{directory}' could not be created: {ex.Message}");
            return ExecutionResult.Failed;
        }
        started();
        foreach (var file in assignment.Files)
        {
            if (!await DownloadFileAsync(file, directory, mode, log, kill).ConfigureAwait(false))
            {
                return ExecutionResult.Failed;
            }
        }
        return new ExecutionResult(AgentOutcome.Succeeded);
    }

    public async Task<ExecutionResult> UploadAsync(Assignment assignment, AssignmentLog log, Action started, CancellationToken kill)
    {
        if (string.IsNullOrWhiteSpace(assignment.UploadPath))
        {
            log.System("The upload assignment has no upload path.");
            return ExecutionResult.Error;
        }
        var path = assignment.UploadPath;
        if (!File.Exists(path))
        {
            log.System($"'{path}' does not exist or is not a file.");
            return ExecutionResult.Failed;
        }
        started();
        try
        {
            string local;
            var stream = OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                local = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, kill).ConfigureAwait(false));
            }
            var stored = await client.UploadAsync(() => OpenRead(path), kill).ConfigureAwait(false);
            if (!string.Equals(stored.Sha256, local, StringComparison.OrdinalIgnoreCase))
            {
                log.System($"'{path}': the server stored SHA-256 {stored.Sha256} but the file's is {local}; did it change during the upload?");
                return ExecutionResult.Failed;
            }
            log.System($"Uploaded '{path}': {stored.Size} bytes, SHA-256 {stored.Sha256}.");
            return new ExecutionResult(AgentOutcome.Succeeded, UploadedSha256: stored.Sha256);
        }
        catch (LocalFileException ex)
        {
            log.System(ex.Message);
            return ExecutionResult.Failed;
        }
        catch (AgentApiException ex)
        {
            log.System($"Upload of '{path}' failed: {ex.Message}");
            return ExecutionResult.Failed;
        }
    }

    private async Task<bool> DownloadFileAsync(FileWork file, string directory, UnixFileMode? mode, AssignmentLog log, CancellationToken kill)
    {
        if (file.Name.Length == 0 || file.Name is "." or ".." || Path.GetFileName(file.Name) != file.Name || file.Name.Contains('\\', StringComparison.Ordinal))
        {
            log.System($"'{file.Name}' is not a plain file name.");
            return false;
        }
        var target = Path.Combine(directory, file.Name);
        var temporary = Path.Combine(directory, $".{file.Name}.{Guid.NewGuid():N}.partial");
        try
        {
            var actual = "";
            long size = 0;
            await client.DownloadAsync(file.Sha256, async (body, ct) =>
            {
                (actual, size) = await CopyHashingAsync(body, temporary, ct).ConfigureAwait(false);
            }, kill).ConfigureAwait(false);
            if (!string.Equals(actual, file.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                log.System($"'{file.Name}': checksum mismatch: expected SHA-256 {file.Sha256}, got {actual} ({size} bytes); the file was not written.");
                return false;
            }
            if (mode is { } bits && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, bits);
            }
            File.Move(temporary, target, overwrite: true);
            log.System($"Downloaded '{target}': {size} bytes, SHA-256 {actual}.");
            return true;
        }
        catch (AgentApiException ex)
        {
            log.System($"'{file.Name}': download failed: {ex.Message}");
            return false;
        }
        catch (Exception ex) when (ex is LocalFileException or IOException or UnauthorizedAccessException)
        {
            log.System($"'{file.Name}': {ex.Message}");
            return false;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>Copies the body into <paramref name="path"/> (from scratch), hashing as it goes. Network errors stay
    /// <see cref="IOException"/>s (the client retries them); local write errors become <see cref="LocalFileException"/>.</summary>
    private static async Task<(string Sha256, long Size)> CopyHashingAsync(Stream body, string path, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[BufferSize];
        long size = 0;
        FileStream output;
        try
        {
            output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LocalFileException($"'{path}' could not be written: {ex.Message}", ex);
        }
        await using (output.ConfigureAwait(false))
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
                try
                {
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    throw new LocalFileException($"'{path}' could not be written: {ex.Message}", ex);
                }
            }
        }
        return (Convert.ToHexStringLower(hash.GetHashAndReset()), size);
    }

    private static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LocalFileException($"'{path}' could not be read: {ex.Message}", ex);
        }
    }

    internal static bool TryParseMode(string text, out UnixFileMode mode)
    {
        mode = default;
        if (text.Length is 0 or > 4 || text.Any(c => c is < '0' or > '7'))
        {
            return false;
        }
        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return true;
    }
}

/// <summary>Reading or writing a file on this host failed: retrying the network call would not help.</summary>
internal sealed class LocalFileException(string message, Exception inner) : Exception(message, inner);
