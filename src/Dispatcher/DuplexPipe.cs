// A socket's two pipe ends as the SMTP session consumes them.
using System.IO.Pipelines;

namespace Smtpd.Dispatcher;

internal sealed record DuplexPipe(PipeReader Input, PipeWriter Output) : IDuplexPipe;
