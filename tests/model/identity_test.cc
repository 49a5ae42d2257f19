#include "daemon/model/identity.h"

#include <gtest/gtest.h>

namespace chaosnet::model {
namespace {

TEST(Identity, KeysNameTheIdentityAloneAndTellKindsApart) {
  EXPECT_EQ(IdentityKey(UidIdentity(1000)), "uid:1000");
  EXPECT_EQ(IdentityKey(UidIdentity(0)), "uid:0");
  EXPECT_EQ(IdentityKey(CertificateIdentity("CN=runner-1,O=chaosnet")),
            "x509:CN=runner-1,O=chaosnet");
  EXPECT_EQ(IdentityKey(AddressIdentity("10.0.0.5")), "tcp:10.0.0.5");
  EXPECT_EQ(IdentityKey(Identity{}), "");
  // Same text, different kinds: different callers.
  EXPECT_NE(CertificateIdentity("10.0.0.5"), AddressIdentity("10.0.0.5"));
  EXPECT_NE(IdentityKey(CertificateIdentity("10.0.0.5")), IdentityKey(AddressIdentity("10.0.0.5")));
}

TEST(Identity, PrincipalsAsTheDaemonWritesThemNameTheirIdentity) {
  EXPECT_EQ(IdentityOfPrincipal("uid:1000(alice)"), UidIdentity(1000));
  EXPECT_EQ(IdentityOfPrincipal("uid:1000"), UidIdentity(1000));
  EXPECT_EQ(IdentityOfPrincipal("uid:0(root)"), UidIdentity(0));
  EXPECT_EQ(IdentityOfPrincipal("x509:CN=a (b),O=c"), CertificateIdentity("CN=a (b),O=c"));
  EXPECT_EQ(IdentityOfPrincipal("tcp:::1"), AddressIdentity("::1"));
  for (const char* unknown :
       {"", "uid:", "uid:x", "uid:1000 (alice)", "uid:1000()", "uid:1000(alice", "uid:99999999999",
        "x509:", "tcp:", "unknown:fd:7", "alice"}) {
    EXPECT_TRUE(IdentityOfPrincipal(unknown).empty()) << unknown;
  }
}

}  // namespace
}  // namespace chaosnet::model
