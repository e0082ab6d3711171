"""Behind reverse proxies, the client's address and scheme come from the proxies' headers,
but only from proxies the council trusts; anyone else's headers are ignored."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from live_handoff.proxies import client_address, client_scheme, parse_trusted

TRUSTED = parse_trusted("10.0.0.0/8, 192.0.2.7, 2001:db8:1::/48")


def test_trusted_proxies_are_read_as_addresses_and_networks():
    assert parse_trusted(" 10.0.0.0/8 ,192.0.2.7,, 2001:db8::/32 ") == (
        ip_network("10.0.0.0/8"),
        ip_network("192.0.2.7/32"),
        ip_network("2001:db8::/32"),
    )
    assert parse_trusted("") == ()


def test_a_network_written_with_host_bits_means_the_network_it_is_in():
    assert parse_trusted("10.1.2.3/8") == (ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "proxy.internal", "10.0.0", "2001:db8::/129", "*"])
def test_something_that_is_not_an_address_is_refused_and_named(bad):
    with pytest.raises(ValueError, match="is not an IP address"):
        parse_trusted(f"10.0.0.0/8, {bad}")


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say():
    assert client_address("198.51.100.9", "203.0.113.5", ()) == "198.51.100.9"
    assert client_scheme("198.51.100.9", {"X-Forwarded-Proto": "https"}, ()) == "http"
    assert client_scheme("198.51.100.9", {}, (), direct="https") == "https"


def test_headers_from_an_untrusted_peer_are_ignored():
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.1"}
    assert client_scheme("198.51.100.9", spoofed, TRUSTED) == "http"
    assert client_address("198.51.100.9", "10.0.0.1, 203.0.113.5", TRUSTED) == "198.51.100.9"


def test_a_trusted_proxy_says_the_client_used_https():
    assert client_scheme("10.1.2.3", {"X-Forwarded-Proto": "https"}, TRUSTED) == "https"
    assert client_scheme("10.1.2.3", {"x-forwarded-proto": "HTTPS"}, TRUSTED) == "https"
    assert client_scheme("192.0.2.7", {"X-Forwarded-Proto": "http"}, TRUSTED, direct="http") == "http"


def test_a_trusted_proxy_without_the_header_leaves_the_direct_scheme():
    assert client_scheme("10.1.2.3", {}, TRUSTED, direct="http") == "http"
    assert client_scheme("10.1.2.3", {}, TRUSTED, direct="https") == "https"


def test_the_client_is_the_rightmost_address_no_trusted_proxy_wrote():
    # The client wrote "1.1.1.1" itself; the edge proxy 10.0.0.5 appended the real address.
    assert client_address("10.9.9.9", "1.1.1.1, 203.0.113.5, 10.0.0.5", TRUSTED) == "203.0.113.5"
    assert client_address("10.9.9.9", "203.0.113.5", TRUSTED) == "203.0.113.5"


def test_when_every_hop_is_trusted_the_first_is_the_client():
    assert client_address("10.9.9.9", "10.0.0.1, 10.0.0.2", TRUSTED) == "10.0.0.1"


def test_a_trusted_proxy_with_no_forwarded_for_is_itself_the_client():
    assert client_address("10.9.9.9", "", TRUSTED) == "10.9.9.9"


def test_ipv6_peers_networks_and_bracketed_addresses_with_ports():
    assert client_address("2001:db8:1::10", "[2001:db8:2::5]:51234", TRUSTED) == "2001:db8:2::5"
    assert client_address("2001:db8:1::10", "2001:DB8:2:0:0:0:0:5", TRUSTED) == "2001:db8:2::5"
    assert client_scheme("2001:db8:1::10", {"X-Forwarded-Proto": "https"}, TRUSTED) == "https"
    assert client_scheme("2001:db8:2::10", {"X-Forwarded-Proto": "https"}, TRUSTED) == "http"


def test_ipv4_with_a_port_and_ipv4_mapped_ipv6_peers_are_read_as_ipv4():
    assert client_address("::ffff:10.0.0.8", "203.0.113.5:443", TRUSTED) == "203.0.113.5"
    assert client_scheme("::ffff:10.0.0.8", {"X-Forwarded-Proto": "https"}, TRUSTED) == "https"


def test_several_headers_of_the_same_name_are_read_as_one_list():
    from multidict import CIMultiDict, CIMultiDictProxy

    headers = CIMultiDictProxy(
        CIMultiDict(
            [("X-Forwarded-For", "1.1.1.1"), ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-Proto", "https")]
        )
    )
    assert client_scheme("10.0.0.1", headers, TRUSTED) == "https"
    assert client_address("10.0.0.1", ",".join(headers.getall("X-Forwarded-For")), TRUSTED) == "203.0.113.5"


def test_with_one_scheme_per_hop_the_clients_own_is_used():
    # client --https--> edge 10.0.0.5 --http--> inner 10.0.0.6 --> relay: each appended one.
    headers = {"X-Forwarded-For": "203.0.113.5, 10.0.0.5", "X-Forwarded-Proto": "https, http"}
    assert client_scheme("10.0.0.6", headers, TRUSTED) == "https"
    # A client-written value to the left of the real one proves nothing.
    headers = {"X-Forwarded-For": "9.9.9.9, 203.0.113.5, 10.0.0.5", "X-Forwarded-Proto": "https, http, http"}
    assert client_scheme("10.0.0.6", headers, TRUSTED) == "http"


def test_proxies_that_overwrite_the_scheme_are_read_from_the_nearest():
    headers = {"X-Forwarded-For": "203.0.113.5, 10.0.0.5", "X-Forwarded-Proto": "https"}
    assert client_scheme("10.0.0.6", headers, TRUSTED) == "https"


@pytest.mark.parametrize("value", ["", "ftp", "https;", "https, gopher", "javascript:", "https https"])
def test_a_malformed_scheme_header_is_ignored(value):
    assert client_scheme("10.0.0.1", {"X-Forwarded-Proto": value}, TRUSTED, direct="http") == "http"


def test_a_malformed_forwarded_for_gives_the_nearest_address_known_to_be_real():
    assert client_address("10.0.0.1", "unknown", TRUSTED) == "10.0.0.1"
    assert client_address("10.0.0.1", "1.1.1.1, garbage, 10.0.0.5", TRUSTED) == "10.0.0.5"
    assert client_address("10.0.0.1", " , ,", TRUSTED) == "10.0.0.1"


def test_a_peer_that_is_not_an_address_is_never_trusted():
    assert client_scheme("", {"X-Forwarded-Proto": "https"}, TRUSTED) == "http"
    assert client_address("", "203.0.113.5", TRUSTED) == ""
