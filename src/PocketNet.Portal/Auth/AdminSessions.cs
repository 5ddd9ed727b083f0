using System.Security.Cryptography;

namespace PocketNet.Portal.Auth;

/// <summary>
/// What makes signing out end a session for real: every sign-in cookie carries the current session stamp, each
/// request's cookie is checked against it, and signing out replaces the stamp, so a cookie saved before (in another
/// tab, a backup, a stolen copy) stops working at once. The stamp lives in HOME/session-stamp (mode 600), so it
/// survives restarts and holds for every web host that shares the home; there is one admin, so signing out ends
/// all of the admin's sessions.
/// </summary>
public sealed class AdminSessions(PortalPaths paths)
{
    public const string StampClaim = "pocketnet:session-stamp";
    public const string StampFile = "session-stamp";

    private readonly Lock _gate = new();
    private string? _stamp;
    private DateTime _readAt;

    private string StampPath => Path.Combine(paths.Home, StampFile);

    /// <summary>The stamp a valid cookie carries (re-read only when the file changed).</summary>
    public string Current
    {
        get
        {
            lock (_gate)
            {
                DateTime written = File.GetLastWriteTimeUtc(StampPath);
                if (_stamp is null || written != _readAt)
                {
                    if (!File.Exists(StampPath)) WriteNewStamp();
                    _stamp = File.ReadAllText(StampPath).Trim();
                    _readAt = File.GetLastWriteTimeUtc(StampPath);
                }
                return _stamp;
            }
        }
    }

    /// <summary>Ends every admin session: cookies signed in before now are refused from the next request on.</summary>
    public void EndAll()
    {
        lock (_gate)
        {
            WriteNewStamp();
            _stamp = null;
        }
    }

    private void WriteNewStamp()
    {
        string fresh = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string temporary = StampPath + ".new";
        SecretFile.Write(temporary, fresh);
        File.Move(temporary, StampPath, overwrite: true);
    }
}
