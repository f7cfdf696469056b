using Orchestrator.Agent.Execution;

namespace Orchestrator.Agent.Tests.Execution;

/// <summary>
/// Values too short to hide are left as they are (masking every 'a' of a log would garble it and give the value
/// away); everything of <see cref="SecretMasker.MinMaskedLength"/> characters or more is masked.
/// </summary>
public sealed class SecretMaskerTests
{
    [Fact]
    public void Apply_OneCharacterSecret_IsLeftAndCounted()
    {
        var masker = new SecretMasker(["a"]);

        Assert.Equal("The value of header X-A", masker.Apply("The value of header X-A"));
        Assert.Equal(1, masker.Unmasked);
        Assert.Contains("not masked", masker.UnmaskedNotice, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_MultiLineSecretWithAOneCharacterLine_MasksTheWholeValueAndItsLongLinesOnly()
    {
        var masker = new SecretMasker(["a\r\nInjected: 1"]);

        Assert.Equal("The value of header X-C was ***.", masker.Apply("The value of header X-C was a\r\nInjected: 1."));
        Assert.Equal("> ***\n", masker.Apply("> Injected: 1\n"));
        Assert.Equal("a header", masker.Apply("a header"));
        Assert.Equal(1, masker.Unmasked);
    }

    [Theory]
    [InlineData("pw-7", true)]
    [InlineData("abc", false)]
    [InlineData(" a b c ", false)]
    [InlineData("a b c d", true)]
    public void Apply_FourCharactersOtherThanWhiteSpace_AreMasked(string secret, bool masked)
    {
        var masker = new SecretMasker([secret]);

        Assert.Equal(masked ? "[***]" : $"[{secret}]", masker.Apply($"[{secret}]"));
        Assert.Equal(masked ? 0 : 1, masker.Unmasked);
        Assert.Equal(masked, masker.UnmaskedNotice is null);
    }

    [Fact]
    public void UnmaskedNotice_NoShortValue_IsNull()
    {
        Assert.Null(new SecretMasker(["s3cr3t-v4lue", "line one\nline two"]).UnmaskedNotice);
    }
}
