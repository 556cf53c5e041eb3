/**
 * A self-signed certificate for `smtp.alfred.test` (and no other name or address), for the fake
 * SMTP server's TLS. TEST-ONLY: the key is public by being here. Tests trust it as their only CA, so
 * a handshake succeeds exactly when the client verifies against that name. Made with:
 * openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *   -subj "/CN=smtp.alfred.test" -addext "subjectAltName=DNS:smtp.alfred.test"
 */
export const TEST_SMTP_HOSTNAME = "smtp.alfred.test";

export const TEST_TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjY+9RDXSdkIk+hIK
ktGUNa9yfSiTQkJLpkeMpX872+mhRANCAAQlzuE6OgpYdN7z1EkjO3lEpSZCMoAu
x6U1zK3FBCwbQdpi9ngDCmirMerOn7UfAcw41ukUXxI9/mBsv0kQ8YE4
-----END PRIVATE KEY-----
`;

export const TEST_TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBqjCCAVCgAwIBAgIUNw1mrWZDui7yA/n4OLCJdtjywEowCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQc210cC5hbGZyZWQudGVzdDAgFw0yNjEyMDMxMzIwMzhaGA8y
MTI2MTEwOTEzMjAzOFowGzEZMBcGA1UEAwwQc210cC5hbGZyZWQudGVzdDBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABCXO4To6Clh03vPUSSM7eUSlJkIygC7HpTXM
rcUELBtB2mL2eAMKaKsx6s6ftR8BzDjW6RRfEj3+YGy/SRDxgTijcDBuMB0GA1Ud
DgQWBBQL83dsTecGRPfb8rJnubLT5avYdzAfBgNVHSMEGDAWgBQL83dsTecGRPfb
8rJnubLT5avYdzAPBgNVHRMBAf8EBTADAQH/MBsGA1UdEQQUMBKCEHNtdHAuYWxm
cmVkLnRlc3QwCgYIKoZIzj0EAwIDSAAwRQIhAJoQi+gdAh3os2qHSPZ6aZ/JLgh/
cpTggV5w6ROHz0mCAiAmwxK/LJQotcvg3NEgJNx+MeVGAzhuBNGO8h66HMtbmA==
-----END CERTIFICATE-----
`;
