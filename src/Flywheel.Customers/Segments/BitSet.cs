using System.Numerics;

namespace Flywheel.Customers.Segments;

/// <summary>A fixed-size set of positions 0 .. Count-1, 64 to a word: the result of a condition over a column.</summary>
internal sealed class BitSet
{
    private readonly ulong[] _words;

    public BitSet(int count)
    {
        Count = count;
        _words = new ulong[(count + 63) >> 6];
    }

    public int Count { get; }

    /// <summary>The words, 64 positions each, for loops that build a set a word at a time.</summary>
    public ulong[] Words => _words;

    public static BitSet All(int count)
    {
        var set = new BitSet(count);
        Array.Fill(set._words, ulong.MaxValue);
        set.ClearTail();
        return set;
    }

    public bool this[int position] => (_words[position >> 6] & (1UL << (position & 63))) != 0;

    public void Set(int position) => _words[position >> 6] |= 1UL << (position & 63);

    public bool IsEmpty => Array.TrueForAll(_words, w => w == 0);

    public int PopCount()
    {
        var total = 0;
        foreach (var w in _words) total += BitOperations.PopCount(w);
        return total;
    }

    public void And(BitSet other)
    {
        for (var w = 0; w < _words.Length; w++) _words[w] &= other._words[w];
    }

    public void Or(BitSet other)
    {
        for (var w = 0; w < _words.Length; w++) _words[w] |= other._words[w];
    }

    public void Not()
    {
        for (var w = 0; w < _words.Length; w++) _words[w] = ~_words[w];
        ClearTail();
    }

    /// <summary>The positions in the set, ascending.</summary>
    public IEnumerable<int> Positions()
    {
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                yield return (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }
    }

    private void ClearTail()
    {
        if ((Count & 63) != 0 && _words.Length > 0) _words[^1] &= (1UL << (Count & 63)) - 1;
    }
}
