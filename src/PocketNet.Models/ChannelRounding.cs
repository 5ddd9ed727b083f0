namespace PocketNet.Models;

/// <summary>
/// How width-scaled networks round their channel counts (MobileNet's make_divisible, which GhostNet and MixNet reuse
/// with their own divisors): to the nearest multiple of the divisor, never below it, one multiple more when rounding
/// lost over 10 % of the unrounded width.
/// </summary>
public static class ChannelRounding
{
    public static long MakeDivisible(double channels, int divisor)
    {
        long rounded = Math.Max(divisor, (long)(channels + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * channels ? rounded + divisor : rounded;
    }
}
