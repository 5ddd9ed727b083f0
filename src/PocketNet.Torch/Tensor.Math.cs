using PocketNet.Torch.Native;

namespace PocketNet.Torch;

/// <summary>Op codes of pn_unary (src/native/pntorch_ops.cpp); the order is the ABI.</summary>
internal enum UnaryOp
{
    Neg, Exp, Log, Sqrt, Rsqrt, Cos, Sin, Acos, Abs, Relu, Sigmoid, Tanh, Sign, Square, Floor, LogicalNot,
    Reciprocal, Ceil, Round,
}

/// <summary>Op codes of pn_binary and its scalar and in-place forms; the order is the ABI.</summary>
internal enum BinaryOp
{
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, Remainder, Atan2,
}

public sealed unsafe partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.pn_unary(Handle, (int)op));

    private Tensor Binary(Tensor other, BinaryOp op) => Wrap(NativeMethods.pn_binary(Handle, other.Handle, (int)op));

    private Tensor Binary(double other, BinaryOp op) =>
        Wrap(NativeMethods.pn_binary_scalar(Handle, other, IsIntegralScalar(other) ? 1 : 0, (int)op));

    private static Tensor ScalarFirst(double a, Tensor b, BinaryOp op) =>
        Wrap(NativeMethods.pn_scalar_binary(a, IsIntegralScalar(a) && !b.DType.IsFloatingPoint() ? 1 : 0, b.Handle, (int)op));

    private Tensor BinaryInPlace(Tensor other, BinaryOp op)
    {
        NativeMethods.Check(NativeMethods.pn_binary_(Handle, other.Handle, (int)op));
        return this;
    }

    private Tensor BinaryInPlace(double other, BinaryOp op)
    {
        NativeMethods.Check(NativeMethods.pn_binary_scalar_(Handle, other, IsIntegralScalar(other) ? 1 : 0, (int)op));
        return this;
    }

    // A scalar with no fractional part keeps an integer tensor integral (as a Python int would).
    private static bool IsIntegralScalar(double value) => value == Math.Floor(value) && Math.Abs(value) < 9e15;

    // ---- operators -------------------------------------------------------------------------------

    public static Tensor operator +(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(Tensor a, double b) => a.Binary(b, BinaryOp.Add);
    public static Tensor operator +(double a, Tensor b) => b.Binary(a, BinaryOp.Add);
    public static Tensor operator -(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(Tensor a, double b) => a.Binary(b, BinaryOp.Sub);
    public static Tensor operator -(double a, Tensor b) => ScalarFirst(a, b, BinaryOp.Sub);
    public static Tensor operator *(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(Tensor a, double b) => a.Binary(b, BinaryOp.Mul);
    public static Tensor operator *(double a, Tensor b) => b.Binary(a, BinaryOp.Mul);
    public static Tensor operator /(Tensor a, Tensor b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(Tensor a, double b) => a.Binary(b, BinaryOp.Div);
    public static Tensor operator /(double a, Tensor b) => ScalarFirst(a, b, BinaryOp.Div);
    public static Tensor operator -(Tensor a) => a.Unary(UnaryOp.Neg);

    // ---- element-wise functions ------------------------------------------------------------------

    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Cos() => Unary(UnaryOp.Cos);
    public Tensor Sin() => Unary(UnaryOp.Sin);
    public Tensor Acos() => Unary(UnaryOp.Acos);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Ceil() => Unary(UnaryOp.Ceil);
    public Tensor Round() => Unary(UnaryOp.Round);
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);

    public Tensor Pow(double exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Pow(Tensor exponent) => Binary(exponent, BinaryOp.Pow);
    public Tensor Remainder(double divisor) => Binary(divisor, BinaryOp.Remainder);
    public Tensor Maximum(Tensor other) => Binary(other, BinaryOp.Maximum);
    public Tensor Minimum(Tensor other) => Binary(other, BinaryOp.Minimum);
    public Tensor Atan2(Tensor other) => Binary(other, BinaryOp.Atan2);
    public Tensor LogicalAnd(Tensor other) => Binary(other, BinaryOp.LogicalAnd);
    public Tensor LogicalOr(Tensor other) => Binary(other, BinaryOp.LogicalOr);

    public Tensor Eq(Tensor other) => Binary(other, BinaryOp.Eq);
    public Tensor Eq(double other) => Binary(other, BinaryOp.Eq);
    public Tensor Ne(Tensor other) => Binary(other, BinaryOp.Ne);
    public Tensor Ne(double other) => Binary(other, BinaryOp.Ne);
    public Tensor Lt(Tensor other) => Binary(other, BinaryOp.Lt);
    public Tensor Lt(double other) => Binary(other, BinaryOp.Lt);
    public Tensor Le(Tensor other) => Binary(other, BinaryOp.Le);
    public Tensor Le(double other) => Binary(other, BinaryOp.Le);
    public Tensor Gt(Tensor other) => Binary(other, BinaryOp.Gt);
    public Tensor Gt(double other) => Binary(other, BinaryOp.Gt);
    public Tensor Ge(Tensor other) => Binary(other, BinaryOp.Ge);
    public Tensor Ge(double other) => Binary(other, BinaryOp.Ge);

    /// <summary>Limits every element to [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) =>
        Wrap(NativeMethods.pn_clamp(Handle, min ?? 0, min.HasValue ? 1 : 0, max ?? 0, max.HasValue ? 1 : 0));

    public Tensor ClampMin(double min) => Clamp(min, null);
    public Tensor ClampMax(double max) => Clamp(null, max);

    // ---- in place (for optimisers and initialisers; these bypass nothing: autograd checks still apply) -

    public Tensor AddInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Add);
    public Tensor AddInPlace(double other) => BinaryInPlace(other, BinaryOp.Add);
    public Tensor SubInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Sub);
    public Tensor SubInPlace(double other) => BinaryInPlace(other, BinaryOp.Sub);
    public Tensor MulInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Mul);
    public Tensor MulInPlace(double other) => BinaryInPlace(other, BinaryOp.Mul);
    public Tensor DivInPlace(Tensor other) => BinaryInPlace(other, BinaryOp.Div);
    public Tensor DivInPlace(double other) => BinaryInPlace(other, BinaryOp.Div);

    /// <summary>this += alpha * other.</summary>
    public Tensor AddInPlace(Tensor other, double alpha)
    {
        NativeMethods.Check(NativeMethods.pn_add_scaled_(Handle, other.Handle, alpha));
        return this;
    }

    /// <summary>this += value * a * b.</summary>
    public Tensor AddcmulInPlace(Tensor a, Tensor b, double value = 1)
    {
        NativeMethods.Check(NativeMethods.pn_addcmul_(Handle, a.Handle, b.Handle, value));
        return this;
    }

    /// <summary>this += value * a / b.</summary>
    public Tensor AddcdivInPlace(Tensor a, Tensor b, double value = 1)
    {
        NativeMethods.Check(NativeMethods.pn_addcdiv_(Handle, a.Handle, b.Handle, value));
        return this;
    }

    /// <summary>this += weight * (end - this).</summary>
    public Tensor LerpInPlace(Tensor end, double weight)
    {
        NativeMethods.Check(NativeMethods.pn_lerp_(Handle, end.Handle, weight));
        return this;
    }

    public Tensor Fill(double value)
    {
        NativeMethods.Check(NativeMethods.pn_fill_(Handle, value));
        return this;
    }

    public Tensor Zero() => Fill(0);

    /// <summary>Fills with samples of N(mean, std²) from the global generator.</summary>
    public Tensor NormalInPlace(double mean = 0, double std = 1)
    {
        NativeMethods.Check(NativeMethods.pn_random_(Handle, 0, mean, std));
        return this;
    }

    /// <summary>Fills with samples of U[low, high) from the global generator.</summary>
    public Tensor UniformInPlace(double low = 0, double high = 1)
    {
        NativeMethods.Check(NativeMethods.pn_random_(Handle, 1, low, high));
        return this;
    }

    // ---- linear algebra --------------------------------------------------------------------------

    public Tensor MatMul(Tensor other) => Wrap(NativeMethods.pn_matmul(Handle, other.Handle));
}
