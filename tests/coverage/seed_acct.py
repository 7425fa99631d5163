"""Coverage seed for the "acct" controls: account settings, Access Analyzer, federation and
EC2 instance profiles (see tests/coverage/run.py for the contract).

Planted: a SECURITY alternate contact, a cost budget, a SAML identity provider, and two
running instances in the second region, one with an instance profile and one without.
moto implements neither IAM Access Analyzer nor Cost Explorer anomaly monitors (both answer
HTTP 500), so those controls must report `error`, never pass or fail. moto also answers
sso-admin ListInstances with an ACTIVE Identity Center instance in every region, so the
account counts as federated whatever else is planted.
"""
import boto3
from botocore.config import Config

ACCOUNT = "123456789012"  # moto's default account

# A SAML metadata document (moto wants one of at least 1000 characters); the certificate is
# a placeholder, never used to sign anything.
SAML_METADATA = """<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.co.kr/saml/metadata">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>MIIDdzCCAl+gAwIBAgIEbFhjYDANBgkqhkiG9w0BAQsFADBsMRAwDgYDVQQGEwdVbmtub3duMRAwDgYDVQQIEwdVbmtub3duMRAwDgYDVQQHEwdVbmtub3duMRAwDgYDVQQKEwdVbmtub3duMRAwDgYDVQQLEwdVbmtub3duMRAwDgYDVQQDEwdVbmtub3duMB4XDTI2MDEwMTAwMDAwMFoXDTM2MDEwMTAwMDAwMFowbDEQMA4GA1UEBhMHVW5rbm93bjEQMA4GA1UECBMHVW5rbm93bjEQMA4GA1UEBxMHVW5rbm93bjEQMA4GA1UEChMHVW5rbm93bjEQMA4GA1UECxMHVW5rbm93bjEQMA4GA1UEAxMHVW5rbm93bjCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKplaceholderplaceholderplaceholderplaceholder</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.co.kr/saml/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
"""

EC2_TRUST = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"""


def seed(url, regions):
    home, other = regions[0], regions[-1]
    kw = dict(endpoint_url=url, aws_access_key_id="testing", aws_secret_access_key="testing",
              config=Config(retries={"max_attempts": 1}))
    expect = []

    account = boto3.client("account", region_name=home, **kw)
    account.put_alternate_contact(AlternateContactType="SECURITY", EmailAddress="security@example.co.kr",
                                  Name="Security Operations", PhoneNumber="+82-2-555-0100", Title="CISO office")
    expect.append(("account.security_contact", ACCOUNT, "pass"))

    budgets = boto3.client("budgets", region_name=home, **kw)
    budgets.create_budget(AccountId=ACCOUNT, Budget={
        "BudgetName": "acct-monthly-cost", "BudgetLimit": {"Amount": "100", "Unit": "USD"},
        "TimeUnit": "MONTHLY", "BudgetType": "COST"})
    expect.append(("account.budget", ACCOUNT, "pass"))

    # moto: GetAnomalyMonitors is not implemented (HTTP 500) -> the control must say error
    expect.append(("account.cost_anomaly_monitor", ACCOUNT, "error"))
    # moto: ListAnalyzers is not implemented (HTTP 500) -> error in every scanned region
    for r in regions:
        expect.append(("iam.access_analyzer_enabled", r, "error"))

    iam = boto3.client("iam", region_name=home, **kw)
    iam.create_saml_provider(Name="CorporateIdP", SAMLMetadataDocument=SAML_METADATA)
    expect.append(("iam.federated_access", ACCOUNT, "pass"))

    iam.create_role(RoleName="acct-app-server", AssumeRolePolicyDocument=EC2_TRUST)
    iam.create_instance_profile(InstanceProfileName="acct-app-server")
    iam.add_role_to_instance_profile(InstanceProfileName="acct-app-server", RoleName="acct-app-server")
    ec2 = boto3.client("ec2", region_name=other, **kw)
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    with_profile = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        IamInstanceProfile={"Name": "acct-app-server"},
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "acct-with-role"}]}],
    )["Instances"][0]["InstanceId"]
    without = ec2.run_instances(
        ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "acct-no-role"}]}],
    )["Instances"][0]["InstanceId"]
    expect.append(("iam.ec2_instance_profile", with_profile, "pass"))
    expect.append(("iam.ec2_instance_profile", without, "fail"))
    return expect
