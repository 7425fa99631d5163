"""tests/coverage/seed_compute.py — the compute group's planted resources (RDS, Systems
Manager, Secrets Manager, EC2 exposure, S3 versioning) for tests/coverage/run.py.

seed(url, regions) creates a good and a bad case for each control in a permissive moto server
and returns the findings a live `ansim scan` must produce, as (control_id, resource_id,
status). Everything is named compute-... so other seed modules' resources do not collide.
"""
import io
import json
import zipfile

import boto3
from botocore.config import Config


def seed(url, regions):
    east, seoul = ("us-east-1", "ap-northeast-2") if "ap-northeast-2" in regions else (regions[0], regions[-1])

    def client(service, region=seoul):
        return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))

    expect = []
    rds, ec2, ssm, sm = client("rds"), client("ec2"), client("ssm"), client("secretsmanager")

    # ---- RDS: one well-configured instance, one bad; an Aurora member judged by its cluster;
    # SQL Server audited through its option group, or not
    rds.create_db_instance(DBInstanceIdentifier="compute-good-db", Engine="mysql", DBInstanceClass="db.t3.micro",
                           MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=7,
                           DeletionProtection=True, EnableCloudwatchLogsExports=["audit", "error"])
    rds.create_db_instance(DBInstanceIdentifier="compute-bad-db", Engine="postgres", DBInstanceClass="db.t3.micro",
                           MasterUsername="app", MasterUserPassword="Example-Passw0rd!", AllocatedStorage=20,
                           PubliclyAccessible=False, BackupRetentionPeriod=1, DeletionProtection=False)
    rds.create_db_cluster(DBClusterIdentifier="compute-aurora", Engine="aurora-mysql", MasterUsername="admin",
                          ManageMasterUserPassword=True, BackupRetentionPeriod=7, DeletionProtection=True,
                          EnableCloudwatchLogsExports=["audit"])
    rds.create_db_instance(DBInstanceIdentifier="compute-aurora-1", DBClusterIdentifier="compute-aurora",
                           Engine="aurora-mysql", DBInstanceClass="db.r6g.large", PubliclyAccessible=False)
    for group, options in (("compute-mssql-audit", [{"OptionName": "SQLSERVER_AUDIT", "OptionSettings": [
            {"Name": "S3_BUCKET_ARN", "Value": "arn:aws:s3:::compute-db-audit"},
            {"Name": "IAM_ROLE_ARN", "Value": "arn:aws:iam::123456789012:role/rds-sqlserver-audit"}]}]),
                           ("compute-mssql-noaudit", [])):
        rds.create_option_group(OptionGroupName=group, EngineName="sqlserver-se", MajorEngineVersion="15.00",
                                OptionGroupDescription=group)
        if options:
            rds.modify_option_group(OptionGroupName=group, OptionsToInclude=options, ApplyImmediately=True)
    for name, group in (("compute-mssql-audited", "compute-mssql-audit"),
                        ("compute-mssql-plain", "compute-mssql-noaudit")):
        rds.create_db_instance(DBInstanceIdentifier=name, Engine="sqlserver-se", DBInstanceClass="db.m5.large",
                               MasterUsername="admin", ManageMasterUserPassword=True, AllocatedStorage=20,
                               PubliclyAccessible=False, BackupRetentionPeriod=7, DeletionProtection=True,
                               OptionGroupName=group, EnableCloudwatchLogsExports=["error", "agent"])
    expect += [("rds.audit_logs", "compute-good-db", "pass"), ("rds.audit_logs", "compute-bad-db", "fail"),
               ("rds.audit_logs", "compute-aurora-1", "pass"), ("rds.audit_logs", "compute-mssql-audited", "pass"),
               ("rds.audit_logs", "compute-mssql-plain", "fail"),
               ("rds.managed_master_password", "compute-good-db", "pass"),
               ("rds.managed_master_password", "compute-bad-db", "fail"),
               ("rds.managed_master_password", "compute-aurora-1", "pass"),
               ("rds.backup_and_deletion_protection", "compute-good-db", "pass"),
               ("rds.backup_and_deletion_protection", "compute-bad-db", "fail"),
               # the member's own values (moto: no deletion protection) are overridden by the cluster's
               ("rds.backup_and_deletion_protection", "compute-aurora-1", "pass")]

    # ---- Secrets Manager: one secret rotated (moto needs the rotation function to exist), one not
    role = client("iam", east).create_role(RoleName="compute-rotation", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("rotate.py", "def handler(event, context):\n    pass\n")
    fn = client("lambda").create_function(FunctionName="compute-rotation", Runtime="python3.12", Role=role,
                                          Handler="rotate.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]
    sm.create_secret(Name="compute/rotated", SecretString='{"token":"placeholder"}')
    sm.rotate_secret(SecretId="compute/rotated", RotationLambdaARN=fn, RotationRules={"AutomaticallyAfterDays": 30},
                     RotateImmediately=False)
    sm.create_secret(Name="compute/static", SecretString='{"token":"placeholder"}')
    expect += [("secretsmanager.rotation", "compute/rotated", "pass"),
               ("secretsmanager.rotation", "compute/static", "fail")]

    # ---- EC2: instances with public addresses (moto's default subnets give one), behind an
    # HTTPS-only group or a group open to SSH from anywhere
    vpc = [v for v in ec2.describe_vpcs()["Vpcs"] if v["IsDefault"]][0]["VpcId"]
    https = ec2.create_security_group(GroupName="compute-https", Description="https", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=https, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    ssh = ec2.create_security_group(GroupName="compute-ssh", Description="ssh", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 20, "ToPort": 30, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    web = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.small",
                            SecurityGroupIds=[https])["Instances"][0]["InstanceId"]
    jump = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.small",
                             SecurityGroupIds=[ssh])["Instances"][0]["InstanceId"]
    plain = client("ec2", east).run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1,
                                              InstanceType="t3.small")["Instances"][0]["InstanceId"]
    expect += [("ec2.public_ssh_instance", web, "pass"), ("ec2.public_ssh_instance", jump, "fail"),
               # moto has no DescribeInstanceInformation (HTTP 500): unknown, never pass or fail
               ("ssm.managed_instances", web, "error"), ("ssm.managed_instances", plain, "error")]

    # ---- Session Manager preferences: logged to an encrypted bucket in Seoul, none in us-east-1
    ssm.create_document(Name="SSM-SessionManagerRunShell", DocumentType="Session", DocumentFormat="JSON",
                        Content=json.dumps({"schemaVersion": "1.0", "description": "Session Manager preferences",
                                            "sessionType": "Standard_Stream", "inputs": {
                                                "s3BucketName": "compute-session-logs", "s3KeyPrefix": "ssm/",
                                                "s3EncryptionEnabled": True, "cloudWatchLogGroupName": "",
                                                "cloudWatchEncryptionEnabled": True, "kmsKeyId": "alias/ssm-sessions",
                                                "idleSessionTimeout": "20"}}))
    expect += [("ssm.session_logging", seoul, "pass"), ("ssm.session_logging", east, "fail")]

    # ---- S3: two personal-data buckets, one versioned
    s3 = client("s3", east)
    for name, versioned in (("compute-pii-versioned", True), ("compute-pii-plain", False)):
        s3.create_bucket(Bucket=name)
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": [{"Key": "ansim:pii", "Value": "true"}]})
        if versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    expect += [("s3.versioning", "compute-pii-versioned", "pass"), ("s3.versioning", "compute-pii-plain", "fail")]
    return expect
