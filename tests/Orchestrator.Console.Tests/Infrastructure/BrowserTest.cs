using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Infrastructure;

/// <summary>
/// What every browser test sets up: a page in a fresh context at 1280×800 (<see cref="Page"/>), the page's script
/// errors collected (<see cref="AssertNoPageErrors"/>), Playwright's waits at 30 s, and the context closed at the end.
/// A test class adds its own setup by overriding <see cref="InitializeAsync"/> and <see cref="DisposeAsync"/> (calling
/// the base first and last).
/// </summary>
public abstract class BrowserTest(ConsoleFixture fixture) : IAsyncLifetime
{
    private readonly List<string> _errors = [];

    protected ConsoleFixture Fixture { get; } = fixture;

    /// <summary>The test's page (a new one after <see cref="OpenPageAsync"/>).</summary>
    protected IPage Page { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(30_000);
        await OpenPageAsync();
    }

    public virtual async Task DisposeAsync()
    {
        if (Page is not null)
        {
            await Page.Context.CloseAsync();
        }
    }

    /// <summary>Replaces <see cref="Page"/> by one in a fresh context (no session), the browser set to <paramref name="timezoneId"/> if given.</summary>
    protected async Task<IPage> OpenPageAsync(string? timezoneId = null)
    {
        if (Page is not null)
        {
            await Page.Context.CloseAsync();
        }
        Page = await Fixture.NewPageAsync(timezoneId);
        Page.PageError += (_, e) =>
        {
            lock (_errors)
            {
                _errors.Add(e);
            }
        };
        return Page;
    }

    /// <summary>Signs <see cref="Page"/> in with <paramref name="token"/> and waits for the top bar to name <paramref name="principal"/>.</summary>
    protected Task SignInAsync(string token, string principal) => Page.SignInAsync(token, principal);

    /// <summary>Fails with the page's script errors, if it had any.</summary>
    protected void AssertNoPageErrors()
    {
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, string.Join("\n", _errors));
        }
    }
}
