"""tests/coverage/seed_detect.py — the detection services, one good and one bad region each.

Plants, in the shared permissive moto (tests/coverage/run.py), with regions[0] as the good
region and regions[1] as the bad one:
  config.recorder      a recording all-types recorder with a delivery channel / a stopped
                       recorder of selected types without a delivery channel
  guardduty.enabled    an enabled detector / a suspended one
  securityhub.enabled  Security Hub on / off (not subscribed)
  macie.enabled        a bucket tagged ansim:pii=true in each region; Macie on (moto's
                       default) / disabled
  inspector.enabled    EC2, ECR and Lambda scanning on / EC2 only
Every finding is per region, so the resource id is the region name.
"""
import boto3
from botocore.config import Config

CFG = Config(retries={"max_attempts": 1})


def _client(url, service, region):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                        aws_secret_access_key="testing", config=CFG)


def seed(url, regions):
    good, bad = regions[0], regions[1]
    account = _client(url, "sts", good).get_caller_identity()["Account"]
    out = []

    # AWS Config
    s3 = _client(url, "s3", good)
    bucket = "detect-config-archive"
    if good == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": good})
    role = f"arn:aws:iam::{account}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
    cfg = _client(url, "config", good)
    cfg.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": role,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    _client(url, "config", bad).put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": role,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::EC2::Instance", "AWS::S3::Bucket"]}})
    out += [("config.recorder", good, "pass"), ("config.recorder", bad, "fail")]

    # GuardDuty
    _client(url, "guardduty", good).create_detector(Enable=True, FindingPublishingFrequency="FIFTEEN_MINUTES")
    _client(url, "guardduty", bad).create_detector(Enable=False)
    out += [("guardduty.enabled", good, "pass"), ("guardduty.enabled", bad, "fail")]

    # Security Hub. moto does not implement GetEnabledStandards (404): the enabled hub still
    # passes, its reason saying the standards could not be read.
    _client(url, "securityhub", good).enable_security_hub(EnableDefaultStandards=False)
    out += [("securityhub.enabled", good, "pass"), ("securityhub.enabled", bad, "fail")]

    # Macie: moto starts every region enabled; disabling makes GetMacieSession answer
    # ResourceNotFoundException (real AWS: AccessDeniedException "Macie is not enabled.").
    for region, name in ((good, "detect-pii-members"), (bad, "detect-pii-orders")):
        b = _client(url, "s3", region)
        if region == "us-east-1":
            b.create_bucket(Bucket=name)
        else:
            b.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        b.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "ansim:pii", "Value": "true"}]})
    _client(url, "macie2", bad).disable_macie()
    out += [("macie.enabled", good, "pass"), ("macie.enabled", bad, "fail")]

    # Inspector
    _client(url, "inspector2", good).enable(accountIds=[account], resourceTypes=["EC2", "ECR", "LAMBDA"])
    _client(url, "inspector2", bad).enable(accountIds=[account], resourceTypes=["EC2"])
    out += [("inspector.enabled", good, "pass"), ("inspector.enabled", bad, "fail")]
    return out
