// Builds multi-segment ReadOnlySequences so parsers meet lines split at every possible place.
using System.Buffers;

namespace Smtpd.Tests.Smtp;

internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    private TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    /// <summary>A sequence made of <paramref name="data"/> cut at the given offsets (ascending).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(data.Length);
        TestSegment? first = null;
        TestSegment? last = null;
        for (int i = 0; i + 1 < bounds.Count; i++)
        {
            // Copy each piece so a parser that reads past a segment end would see garbage, not the next bytes.
            var piece = new TestSegment(data.AsSpan(bounds[i], bounds[i + 1] - bounds[i]).ToArray(), bounds[i]);
            if (first is null)
            {
                first = piece;
            }
            else
            {
                last!.Next = piece;
            }

            last = piece;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }
}
