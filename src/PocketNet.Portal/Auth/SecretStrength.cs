namespace PocketNet.Portal.Auth;

/// <summary>
/// The rule a configured password or API key must meet (a generated one always does): at least 12 characters, at
/// least 6 different ones, and not built on one of the passwords every guessing list starts with. The portal refuses
/// to start with a weaker one rather than serve with it.
/// </summary>
public static class SecretStrength
{
    public const int MinLength = 12;
    public const int MinDistinct = 6;

    private static readonly string[] Common = ["password", "passwort", "qwerty", "123456", "letmein", "welcome", "changeme", "iloveyou"];

    /// <summary>Why <paramref name="secret"/> is too weak, or null when it is not.</summary>
    public static string? Weakness(string secret)
    {
        if (secret.Length < MinLength) return $"it has {secret.Length} characters; use at least {MinLength}";
        if (secret.Distinct().Count() < MinDistinct) return $"it repeats a few characters; use at least {MinDistinct} different ones";
        string lower = secret.ToLowerInvariant();
        if (Common.FirstOrDefault(lower.Contains) is { } word) return $"it contains '{word}', which every guessing list tries first";
        return null;
    }
}
