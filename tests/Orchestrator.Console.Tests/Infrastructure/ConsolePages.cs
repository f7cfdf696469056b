using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Orchestrator.Console.Tests.Infrastructure;

/// <summary>What the browser tests do on a console page again and again.</summary>
public static class ConsolePages
{
    /// <summary>Signs in with <paramref name="token"/> (Enter in the token field) and waits for the top bar to name <paramref name="principal"/>.</summary>
    public static async Task SignInAsync(this IPage page, string token, string principal)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/");
        await page.GetByLabel("API token").FillAsync(token);
        await page.GetByLabel("API token").PressAsync("Enter");
        await Expect(page.Locator("#principal")).ToHaveTextAsync(principal);
    }

    /// <summary>The status of a request the page sends with its session and the console's header (a JSON body <c>{}</c> unless a GET).</summary>
    public static Task<int> FetchStatusAsync(this IPage page, string method, string path)
    {
        ArgumentNullException.ThrowIfNull(page);
        return page.EvaluateAsync<int>(
            "async ([method, path]) => (await fetch(path, { method, headers: { 'X-Orch-Console': '1', 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : '{}' })).status",
            new object[] { method, path });
    }
}
