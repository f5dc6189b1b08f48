// makemap and newaliases: compile a table(5) text file into the Berkeley DB hash file the db:
// backend reads. Written beside the target and renamed over it, so a running smtpd never sees
// a half-built map. Keys are lower-cased and stored with their NUL, as OpenSMTPD does.
// Behaviour reference: usr.sbin/smtpd/makemap.c.
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Tables;

namespace Smtpd.Ctl;

internal static class MakeMap
{
    private const string PathAliases = "/etc/mail/aliases";

    // The name errors are reported under, as err(3) uses __progname (per thread: tests run us in-process).
    [ThreadStatic]
    private static string? t_program;

    private enum MapType
    {
        Plain,
        Aliases,
        Set,
    }

    public static int Run(IReadOnlyList<string> args, bool newaliases)
    {
        t_program = newaliases ? "newaliases" : "makemap";
        var type = MapType.Plain;
        bool btree = false;
        bool dump = false;
        string? output = null;
        string? source = null;
        string conf = Runtime.SmtpdOptions.DefaultConfig;
        var operands = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a == "--" || a == "-" || !a.StartsWith('-'))
            {
                operands.AddRange(a == "--" ? args.Skip(i + 1) : args.Skip(i));
                break;
            }

            char opt = a[1];
            bool takesValue = newaliases ? opt == 'f' : opt is 'b' or 'C' or 'd' or 'o' or 'O' or 't';
            bool known = newaliases ? opt is 'f' : opt is 'b' or 'C' or 'd' or 'o' or 'O' or 't' or 'U';
            if (!known || (a.Length > 2 && !takesValue))
            {
                return Usage(newaliases);
            }

            string? value = null;
            if (takesValue)
            {
                value = a.Length > 2 ? a[2..] : ++i < args.Count ? args[i] : null;
                if (value is null)
                {
                    return Usage(newaliases);
                }
            }

            switch (opt)
            {
                case 'b' when value == "i":
                    newaliases = true;
                    break;
                case 'd':
                    if (value is not ("hash" or "btree"))
                    {
                        return Fail($"unsupported DB type '{value}'");
                    }

                    btree = value == "btree";
                    break;
                case 'f':
                    conf = value!;
                    break;
                case 'o':
                    output = value;
                    break;
                case 'O' when value!.StartsWith("AliasFile=", StringComparison.Ordinal):
                    type = MapType.Aliases;
                    source = value["AliasFile=".Length..];
                    break;
                case 't':
                    if (value is not ("aliases" or "set"))
                    {
                        return Fail($"unsupported type '{value}'");
                    }

                    type = value == "aliases" ? MapType.Aliases : MapType.Set;
                    break;
                case 'U':
                    dump = true;
                    break;
            }
        }

        // Sendmail's form, "makemap hash /etc/mail/map < text": the map type, then the db to write.
        if (!newaliases && operands.Count == 2)
        {
            if (output is not null || operands[0] is not ("hash" or "btree"))
            {
                return Usage(false);
            }

            btree = operands[0] == "btree";
            output = operands[1].EndsWith(".db", StringComparison.Ordinal) ? operands[1] : operands[1] + ".db";
            operands = ["-"];
        }

        if (newaliases)
        {
            if (operands.Count != 0)
            {
                return Usage(true);
            }

            if (Posix.GetEUid() != 0)
            {
                return Fail("need root privileges");
            }

            return NewAliases(conf, source, btree);
        }

        if (operands.Count != 1)
        {
            return Usage(false);
        }

        return dump ? Dump(operands[0], btree) : Build(operands[0], output ?? operands[0] + ".db", type, btree, false);
    }

    private static int NewAliases(string conf, string? source, bool btree)
    {
        if (source is null)
        {
            var loaded = ConfigLoader.Load(conf, new Dictionary<string, string>());
            if (loaded.Config is null)
            {
                foreach (var e in loaded.Errors)
                {
                    Console.Error.WriteLine(e);
                }

                return 1;
            }

            var table = loaded.Config.Tables.FirstOrDefault(t => t.Name == "aliases");
            if (table is { Backend: not "db", Config: not null })
            {
                // A file table is read by smtpd itself: there is nothing to compile, only a reload to ask for.
                return NotifyDaemon(table.Config);
            }

            source = table?.Config is { } path
                ? (path.EndsWith(".db", StringComparison.Ordinal) ? path[..^3] : path)
                : PathAliases;
        }

        return Build(source, source + ".db", MapType.Aliases, btree, true);
    }

    private static int NotifyDaemon(string path)
    {
        using var client = CtlClient.Connect();
        if (client is null)
        {
            Console.WriteLine($"{path}: file table, read by smtpd when it starts");
            return 0;
        }

        Console.WriteLine($"{path}: file table, asking smtpd to reload it");
        return client.Command(new Ipc.Messages.CtlUpdateTable("aliases"));
    }

    private static int Build(string source, string output, MapType type, bool btree, bool newaliases)
    {
        string text;
        FileStatus? sourceStat = null;
        try
        {
            if (source == "-")
            {
                text = Console.In.ReadToEnd();
            }
            else
            {
                var err = Posix.TryStatus(source, out var st);
                if (err != Errno.None)
                {
                    return Fail($"stat: {source}: {Posix.StrError(err)}");
                }

                sourceStat = st;
                text = File.ReadAllText(source);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail($"{source}: {e.Message}");
        }

        var (entries, malformed) = TableFile.Parse(text, isList: type == MapType.Set);
        if (malformed != 0)
        {
            return Fail($"{source}:{malformed}: invalid entry");
        }

        string tmp = output + "." + Path.GetRandomFileName().Replace(".", string.Empty, StringComparison.Ordinal);
        int written = 0;
        try
        {
            using (var db = DbFile.Open(tmp, write: true, btree))
            {
                int line = 0;
                foreach (var (key, value) in entries)
                {
                    line++;
                    if (type == MapType.Aliases && !ValidAliases(value!))
                    {
                        throw new IOException($"{source}: invalid entry for {key}");
                    }

                    if (!db.Add(key.ToLowerInvariant(), type == MapType.Set ? "<set>" : value!))
                    {
                        throw new IOException($"{source}: duplicate entry for {key}");
                    }

                    written++;
                }

                if (!db.Close())
                {
                    throw new IOException($"dbclose: {tmp}");
                }
            }

            if (sourceStat is { } st)
            {
                // The map carries the source's owner and mode, as OpenSMTPD's makemap does.
                File.SetUnixFileMode(tmp, (UnixFileMode)(st.Mode & 0xfff));
                Posix.Chown(tmp, st.Uid, st.Gid);
            }

            // On disk before the rename, or a crash could leave an empty map under the real name.
            using (var fd = Posix.Open(tmp, Libc.O_RDONLY))
            {
                var err = Posix.TryFsync(fd);
                if (err != Errno.None)
                {
                    throw new IOException($"fsync: {tmp}: {Posix.StrError(err)}");
                }
            }

            File.Move(tmp, output, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PosixException)
        {
            File.Delete(tmp);
            return Fail(e.Message);
        }

        if (newaliases)
        {
            Console.WriteLine($"{source}: {written} aliases");
        }
        else if (written == 0)
        {
            Console.Error.WriteLine($"makemap: warning: empty map created: {output}");
        }

        return 0;
    }

    private static int Dump(string path, bool btree)
    {
        try
        {
            using var db = DbFile.Open(path, write: false, btree);
            foreach (var (key, value) in db.ReadAll())
            {
                Console.WriteLine($"{key}\t{value}");
            }

            return 0;
        }
        catch (IOException e)
        {
            return Fail(e.Message);
        }
    }

    // Each comma-separated part must be a non-empty expansion target (make_aliases).
    private static bool ValidAliases(string value) => value.Split(',').All(part => part.Trim().Length > 0);

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"{t_program ?? "makemap"}: {message}");
        return 1;
    }

    private static int Usage(bool newaliases)
    {
        Console.Error.WriteLine(newaliases ? "usage: newaliases [-f file]" : "usage: makemap [-U] [-d dbtype] [-o dbfile] [-t type] file");
        return 1;
    }
}
