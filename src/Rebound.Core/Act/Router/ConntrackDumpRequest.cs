using Rebound.Transport.Netlink;
using static Rebound.Act.Router.ConntrackConstants;

namespace Rebound.Act.Router;

/// <summary>IPCTNL_MSG_CT_GET with NLM_F_REQUEST|NLM_F_DUMP: the whole conntrack table of one family (AF_UNSPEC: all).</summary>
public static class ConntrackDumpRequest
{
    public const int Length = NetlinkHeader.Size + NfGenMsgLength;

    public static byte[] Create(uint sequence, byte family = AfUnspec)
    {
        var bytes = new byte[Length];
        ConntrackCodec.WriteHeaders(bytes, CtGet, NetlinkFraming.NlmFRequest | NetlinkFraming.NlmFDump, sequence, family);
        return bytes;
    }
}
