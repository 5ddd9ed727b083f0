namespace PocketNet.Evaluation.Identification;

/// <summary>
/// The largest <c>capacity</c> scores seen, as a bounded min-heap: the root is the smallest kept score, so a
/// new score is admitted only when it beats the root (ties with the root are not admitted).
/// </summary>
internal sealed class TopScoreHeap(int capacity)
{
    private readonly float[] _heap = new float[capacity];

    public int Count { get; private set; }

    public int Capacity => _heap.Length;

    public bool IsFull => Count == _heap.Length;

    /// <summary>Scores must exceed this to be admitted: -inf until full, then the smallest kept score.</summary>
    public float Floor => IsFull && _heap.Length > 0 ? _heap[0] : float.NegativeInfinity;

    public ReadOnlySpan<float> Items => _heap.AsSpan(0, Count);

    public void Offer(float score)
    {
        if (Count < _heap.Length)
        {
            // Sift up.
            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
                if (_heap[parent] <= score) break;
                _heap[i] = _heap[parent];
                i = parent;
            }
            _heap[i] = score;
        }
        else if (_heap.Length > 0 && score > _heap[0])
        {
            // Replace the root and sift down.
            int i = 0, n = Count;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= n) break;
                if (child + 1 < n && _heap[child + 1] < _heap[child]) child++;
                if (_heap[child] >= score) break;
                _heap[i] = _heap[child];
                i = child;
            }
            _heap[i] = score;
        }
    }
}
