using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PocketNet.Portal.Auth;

/// <summary>
/// The admin's secrets. The password is Portal:AdminPassword, or one generated at first start and kept in
/// HOME/admin-password (mode 600 from its creation on; an existing looser file is tightened), so `./run.sh` can show
/// it. API keys are Portal:ApiKeys; when none is configured, the admin password also works as the API key. Configured
/// secrets must pass <see cref="SecretStrength"/> (checked when options are validated at start). Comparisons take
/// constant time.
/// </summary>
public sealed class AdminCredentials
{
    public const string UserName = "admin";
    public const string PasswordFile = "admin-password";

    private readonly byte[] _password;
    private readonly List<byte[]> _apiKeys;

    public AdminCredentials(IOptions<PortalOptions> options, PortalPaths paths, ILogger<AdminCredentials> log)
    {
        string? configured = options.Value.AdminPassword;
        PasswordPath = Path.Combine(paths.Home, PasswordFile);
        string password = string.IsNullOrEmpty(configured) ? ReadOrCreate(PasswordPath, log) : configured;
        PasswordSource = string.IsNullOrEmpty(configured) ? PasswordPath : "Portal:AdminPassword";
        _password = Encoding.UTF8.GetBytes(password);
        _apiKeys = options.Value.ApiKeys.Where(k => k.Length > 0).Select(Encoding.UTF8.GetBytes).ToList();
        if (_apiKeys.Count == 0) _apiKeys.Add(_password);
    }

    /// <summary>Where a generated password is kept.</summary>
    public string PasswordPath { get; }

    /// <summary>Where the password in use comes from: the file, or the configuration key.</summary>
    public string PasswordSource { get; }

    public bool CheckPassword(string user, string password) =>
        user == UserName && FixedTimeEquals(_password, password);

    public bool CheckApiKey(string key) => _apiKeys.Any(k => FixedTimeEquals(k, key));

    private static bool FixedTimeEquals(byte[] expected, string given) =>
        CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(given));

    private static string ReadOrCreate(string path, ILogger log)
    {
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            SecretFile.Tighten(path);
            return existing;
        }
        string password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
        SecretFile.Write(path, password + "\n");
        log.LogWarning("generated the admin password; it is in {Path}", path);
        return password;
    }
}
