// Numbers from the Linux UAPI headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/fib_rules.h,
// linux/neighbour.h, linux/veth.h, linux/if_addr.h) that the rtnetlink client uses. They are kernel ABI and
// do not change between kernel versions.

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_ROUTE = 0;
export const CLONE_NEWNET = 0x40000000;
export const MSG_DONTWAIT = 0x40;

export const SOL_SOCKET = 1;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SOL_NETLINK = 270;
/** Error replies carry only the header of the failed request instead of all of it. */
export const NETLINK_CAP_ACK = 10;
/** Error replies carry the kernel's explanation (`NLMSGERR_ATTR_MSG`). */
export const NETLINK_EXT_ACK = 11;

/** nlmsghdr: length, type, flags, sequence number, port id. */
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On an error reply: the echoed request was cut to its header. */
export const NLM_F_CAPPED = 0x100;
/** On an error reply: extended-ack attributes follow the echoed request. */
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;

/** Attribute header: 16-bit length, 16-bit type; the top two type bits are flags. */
export const NLA_HDRLEN = 4;
export const NLA_TYPE_MASK = 0x3fff;

export const IFINFOMSG_LEN = 16;
export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINKINFO = 18;
export const IFLA_IFALIAS = 20;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const VETH_INFO_PEER = 1;
/** IFLA_EXT_MASK bit: leave the counters out of a link reply (we only want its index). */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;
export const IFF_UP = 0x1;

export const IFADDRMSG_LEN = 8;
export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;

export const RTMSG_LEN = 12;
export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_TABLE = 15;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
/** On a delete: match any scope. */
export const RT_SCOPE_NOWHERE = 255;
export const RTN_UNICAST = 1;
export const RTNH_F_ONLINK = 4;
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_MAIN = 254;

export const FIB_RULE_HDR_LEN = 12;
export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_PRIORITY = 6;
export const FRA_TABLE = 15;
export const FR_ACT_TO_TBL = 1;

export const NDMSG_LEN = 12;
export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NUD_PERMANENT = 0x80;
