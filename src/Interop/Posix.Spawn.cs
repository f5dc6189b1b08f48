// posix_spawn with descriptor placement: each (source, target) pair is dup2'd into the child,
// every other descriptor from the first free slot up is closed, signal handlers and mask reset.
using System.Runtime.InteropServices;
using System.Text;
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Starts <paramref name="path"/> and returns its pid.</summary>
    /// <param name="path">Executable to run.</param>
    /// <param name="argv">Full argv, argv[0] included.</param>
    /// <param name="env">Environment as NAME=value strings.</param>
    /// <param name="fds">Descriptors to place in the child: target numbers must be 0..N, distinct.</param>
    /// <param name="newSession">Start the child in a new session (daemonizing).</param>
    public static unsafe int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, IReadOnlyList<(SafeFd Source, int Target)> fds, bool newSession = false)
    {
        int highest = 2;
        foreach (var (_, target) in fds)
        {
            highest = Math.Max(highest, target);
        }

        // A source already sitting at a target slot would be "dup2'd onto itself", which leaves
        // close-on-exec set on older glibc; and an early dup2 could overwrite a later source.
        // Moving every source above the target range first avoids both.
        var moved = new List<SafeFd>(fds.Count);
        void* actions = NativeMemory.AllocZeroed(Libc.SpawnFileActionsSize);
        void* attr = NativeMemory.AllocZeroed(Libc.SpawnAttrSize);
        sigset_t sigs = default;
        var natives = new List<nint>();
        try
        {
            Check(Libc.SpawnFileActionsInit(actions), "posix_spawn_file_actions_init");
            Check(Libc.SpawnAttrInit(attr), "posix_spawnattr_init");
            foreach (var (source, target) in fds)
            {
                var high = DupAbove(source, highest + 1);
                moved.Add(high);
                Check(Libc.SpawnFileActionsAddDup2(actions, high.Fd, target), "posix_spawn_file_actions_adddup2");
            }

            Check(Libc.SpawnFileActionsAddCloseFrom(actions, highest + 1), "posix_spawn_file_actions_addclosefrom_np");

            // The runtime ignores SIGPIPE and may block signals on the calling thread; a fresh
            // program must start with default dispositions and an empty mask.
            short flags = Libc.POSIX_SPAWN_SETSIGMASK | Libc.POSIX_SPAWN_SETSIGDEF;
            if (newSession)
            {
                flags |= Libc.POSIX_SPAWN_SETSID;
            }

            Check(Libc.SpawnAttrSetFlags(attr, flags), "posix_spawnattr_setflags");
            _ = LibC.sigemptyset(&sigs);
            Check(Libc.SpawnAttrSetSigMask(attr, &sigs), "posix_spawnattr_setsigmask");
            _ = LibC.sigfillset(&sigs);
            Check(Libc.SpawnAttrSetSigDefault(attr, &sigs), "posix_spawnattr_setsigdefault");

            byte* cpath = Utf8(path, natives);
            byte** cargv = StringArray(argv, natives);
            byte** cenv = StringArray(env, natives);
            int pid;
            int rc = Libc.PosixSpawn(&pid, cpath, actions, attr, cargv, cenv);
            if (rc != 0)
            {
                throw new PosixException(rc, "posix_spawn " + path);
            }

            return pid;
        }
        finally
        {
            _ = Libc.SpawnFileActionsDestroy(actions);
            _ = Libc.SpawnAttrDestroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            foreach (nint p in natives)
            {
                NativeMemory.Free((void*)p);
            }

            foreach (var fd in moved)
            {
                fd.Dispose();
            }
        }
    }

    private static void Check(int rc, string call)
    {
        if (rc != 0)
        {
            throw new PosixException(rc, call);
        }
    }

    private static unsafe byte* Utf8(string s, List<nint> natives)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        natives.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static unsafe byte** StringArray(IReadOnlyList<string> items, List<nint> natives)
    {
        byte** arr = (byte**)NativeMemory.Alloc((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        natives.Add((nint)arr);
        for (int i = 0; i < items.Count; i++)
        {
            arr[i] = Utf8(items[i], natives);
        }

        arr[items.Count] = null;
        return arr;
    }
}
