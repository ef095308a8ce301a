using System.Net;
using Fundament.Outbound;

namespace Fundament.Tests.Outbound;

public sealed class AddressPolicyTests
{
    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("93.184.216.34")]
    [InlineData("11.0.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.255")]
    [InlineData("2606:4700::1111")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Public_addresses_are_allowed(string address) =>
        Assert.True(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("0.0.0.0")] // unspecified
    [InlineData("0.1.2.3")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.1")]
    [InlineData("192.168.255.255")]
    [InlineData("100.64.0.1")] // CGNAT
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")] // cloud metadata
    [InlineData("169.254.0.1")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.1")]
    [InlineData("203.0.113.1")]
    [InlineData("224.0.0.1")] // multicast
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")] // broadcast
    [InlineData("::")] // unspecified
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("fec0::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fd00:ec2::254")] // AWS metadata over IPv6
    [InlineData("ff02::1")]
    [InlineData("ff05::2")]
    [InlineData("100::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001::1")] // Teredo
    [InlineData("3fff::1")]
    [InlineData("::ffff:127.0.0.1")] // IPv4-mapped
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::127.0.0.1")] // IPv4-compatible
    [InlineData("::8.8.8.8")] // IPv4-compatible is deprecated: refused even for a public address
    [InlineData("64:ff9b::7f00:1")] // NAT64 of 127.0.0.1
    [InlineData("64:ff9b::a9fe:a9fe")] // NAT64 of 169.254.169.254
    [InlineData("64:ff9b:1::a00:1")] // local-use NAT64
    [InlineData("2002:7f00:1::1")] // 6to4 of 127.0.0.1
    [InlineData("2002:c0a8:101::1")] // 6to4 of 192.168.1.1
    [InlineData("::ffff:0:7f00:1")] // IPv4-translated
    public void Loopback_private_link_local_and_reserved_addresses_are_refused(string address) =>
        Assert.False(AddressPolicy.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void A_scope_id_does_not_change_the_verdict() =>
        Assert.False(AddressPolicy.IsPublic(new IPAddress(IPAddress.Parse("fe80::1").GetAddressBytes(), scopeid: 2)));
}
