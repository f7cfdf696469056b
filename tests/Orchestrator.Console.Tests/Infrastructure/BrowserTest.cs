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
    private readonly List<string> _refused = [];
    private readonly Dictionary<Microsoft.Playwright.IRequest, DateTimeOffset> _pending = [];

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
        // What the page asked of the server: requests still open and answers refused, for a wait's failure message.
        Page.Request += (_, r) =>
        {
            lock (_pending)
            {
                _pending[r] = TimeProvider.System.GetUtcNow();
            }
        };
        Page.RequestFinished += (_, r) => Settled(r, null);
        Page.RequestFailed += (_, r) => Settled(r, r.Failure ?? "failed");
        Page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                lock (_pending)
                {
                    _refused.Add($"{r.Request.Method} {r.Url} → {r.Status}");
                }
            }
        };
        return Page;
    }

    /// <summary>Signs <see cref="Page"/> in with <paramref name="token"/> and waits for the top bar to name <paramref name="principal"/>.</summary>
    protected Task SignInAsync(string token, string principal) => Page.SignInAsync(token, principal);

    private void Settled(Microsoft.Playwright.IRequest request, string? failure)
    {
        lock (_pending)
        {
            _pending.Remove(request);
            if (failure is not null)
            {
                _refused.Add($"{request.Method} {request.Url} failed: {failure}");
            }
        }
    }

    /// <summary>
    /// Waits for the page to show a run (<c>#/runs/{id}</c>, after a form started one) and returns the run's id. If it
    /// does not come, fails saying what the page showed instead: its address, the form's error and the toast, the
    /// answers refused and the requests still open.
    /// </summary>
    protected async Task<string> WaitForRunPageAsync()
    {
        try
        {
            await Page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("#/runs/[^/]+$"));
        }
        catch (TimeoutException e)
        {
            var shown = await Page.EvaluateAsync<string>(
                "() => ['run-error', 'toast'].map((id) => `${id}: ${(document.getElementById(id) || {}).textContent || ''}`).join('; ')");
            string requests;
            lock (_pending)
            {
                var now = TimeProvider.System.GetUtcNow();
                requests = string.Join("; ", _refused.Select(r => $"refused {r}")
                    .Concat(_pending.Select(p => $"open {p.Key.Method} {p.Key.Url} for {(now - p.Value).TotalSeconds:0.0} s")));
            }
            throw new TimeoutException($"The run's page never came: at {Page.Url}; {shown}; {requests}", e);
        }
        return Uri.UnescapeDataString(new Uri(Page.Url).Fragment["#/runs/".Length..]);
    }

    /// <summary>Fails with the page's script errors, if it had any.</summary>
    protected void AssertNoPageErrors()
    {
        lock (_errors)
        {
            Assert.True(_errors.Count == 0, string.Join("\n", _errors));
        }
    }
}
