"""tests/coverage/seed_sepnet.py — the network-separated environment (seed 000): WorkSpaces
and their directory, the separated subnets' routes, and what moto cannot plant.

Planted in ap-northeast-2, in a VPC of its own (10.250.0.0/16):
  - a Simple AD directory registered with WorkSpaces on subnets ws-a and ws-b;
  - ws-a routes 0.0.0.0/0 to a Gateway Load Balancer endpoint (an inspection appliance)
    -> network.separated_egress pass;
  - ws-b routes 0.0.0.0/0 to a NAT gateway whose own subnet routes straight to the internet
    gateway -> fail;
  - a subnet tagged ansim:separated=true with a default route to the internet gateway -> fail;
  - a tagged subnet behind a second NAT gateway whose subnet routes to the GWLB endpoint -> pass;
  - WorkSpaces: alice (both volumes encrypted) -> pass; bob (neither) and carol (root only)
    -> fail; with complete properties, so workspaces.running_mode prices them too (no usage in
    moto's CloudWatch: bob's AlwaysOn is the costlier mode -> fail, alice's AutoStop -> pass).
What moto 5.2 lacks (see ../shared/research/moto.md) and the findings it leads to:
  - ds EnableRadius and workspaces ModifySamlProperties are not implemented, so a directory
    with MFA cannot be planted: the directory is expected to fail (no SAML, no RADIUS);
  - AppStream 2.0 is not implemented at all (HTTP 500): appstream.data_transfer must report
    `error` (never pass) for the account;
  - DescribeWorkspacesConnectionStatus answers 500: the WorkSpaces still load (without
    ConnectionStatus), so the volume checks are unaffected.
"""
import boto3
from botocore.config import Config

REGION = "ap-northeast-2"
ACCOUNT = "123456789012"


def seed(url, regions):
    assert REGION in regions
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="testing",
              aws_secret_access_key="testing", config=Config(retries={"max_attempts": 1}))
    ec2 = boto3.client("ec2", **kw)
    ds = boto3.client("ds", **kw)
    ws = boto3.client("workspaces", **kw)

    vpc = ec2.create_vpc(CidrBlock="10.250.0.0/16")["Vpc"]["VpcId"]

    def subnet(cidr, az, tags=None):
        s = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=REGION + az)["Subnet"]["SubnetId"]
        if tags:
            ec2.create_tags(Resources=[s], Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
        return s

    def table(subnet_id, **target):
        rt = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        if target:
            ec2.create_route(RouteTableId=rt, DestinationCidrBlock="0.0.0.0/0", **target)
        ec2.associate_route_table(RouteTableId=rt, SubnetId=subnet_id)
        return rt

    def nat(subnet_id):
        alloc = ec2.allocate_address(Domain="vpc")["AllocationId"]
        return ec2.create_nat_gateway(SubnetId=subnet_id, AllocationId=alloc)["NatGateway"]["NatGatewayId"]

    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)

    ws_a = subnet("10.250.1.0/24", "a")
    ws_b = subnet("10.250.2.0/24", "c")
    public = subnet("10.250.10.0/24", "a")
    inspect = subnet("10.250.11.0/24", "a")
    public2 = subnet("10.250.12.0/24", "c")
    tagged_open = subnet("10.250.20.0/24", "a", {"ansim:separated": "true", "Name": "sep-open"})
    tagged_ok = subnet("10.250.21.0/24", "c", {"ansim:separated": "true", "Name": "sep-filtered"})

    gwlbe = ec2.create_vpc_endpoint(
        VpcId=vpc, VpcEndpointType="GatewayLoadBalancer", SubnetIds=[inspect],
        ServiceName=f"com.amazonaws.vpce.{REGION}.vpce-svc-0a1b2c3d4e5f60789")["VpcEndpoint"]["VpcEndpointId"]
    nat_open = nat(public)      # its subnet goes straight to the internet gateway
    nat_filtered = nat(public2)  # its subnet goes through the inspection endpoint
    table(public, GatewayId=igw)
    table(public2, VpcEndpointId=gwlbe)
    table(ws_a, VpcEndpointId=gwlbe)
    table(ws_b, NatGatewayId=nat_open)
    table(tagged_open, GatewayId=igw)
    table(tagged_ok, NatGatewayId=nat_filtered)

    directory = ds.create_directory(Name="sep.example.com", Password="Sep-Passw0rd!", Size="Small",
                                    VpcSettings={"VpcId": vpc, "SubnetIds": [ws_a, ws_b]})["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory, SubnetIds=[ws_a, ws_b])
    def props(mode):  # complete, so that workspaces.running_mode can price them too
        p = {"RunningMode": mode, "ComputeTypeName": "STANDARD", "RootVolumeSizeGib": 80,
             "UserVolumeSizeGib": 50, "OperatingSystemName": "WINDOWS_SERVER_2022"}
        if mode == "AUTO_STOP":
            p["RunningModeAutoStopTimeoutInMinutes"] = 60
        return p

    made = ws.create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": "alice", "BundleId": "wsb-0a1b2c3d4",
         "VolumeEncryptionKey": "alias/aws/workspaces", "WorkspaceProperties": props("AUTO_STOP"),
         "RootVolumeEncryptionEnabled": True, "UserVolumeEncryptionEnabled": True},
        {"DirectoryId": directory, "UserName": "bob", "BundleId": "wsb-0a1b2c3d4",
         "WorkspaceProperties": props("ALWAYS_ON")},
        {"DirectoryId": directory, "UserName": "carol", "BundleId": "wsb-0a1b2c3d4",
         "VolumeEncryptionKey": "alias/aws/workspaces", "RootVolumeEncryptionEnabled": True,
         "WorkspaceProperties": props("AUTO_STOP")},
    ])["PendingRequests"]
    by_user = {w["UserName"]: w["WorkspaceId"] for w in made}

    return [
        ("network.separated_egress", ws_a, "pass"),
        ("network.separated_egress", ws_b, "fail"),
        ("network.separated_egress", tagged_open, "fail"),
        ("network.separated_egress", tagged_ok, "pass"),
        ("workspaces.volume_encryption", by_user["alice"], "pass"),
        ("workspaces.volume_encryption", by_user["bob"], "fail"),
        ("workspaces.volume_encryption", by_user["carol"], "fail"),
        # no CloudWatch datapoints in moto: UsageHours30d is null, i.e. 0 hours used, so
        # AlwaysOn costs more than AutoStop would (advice) and AutoStop is right
        ("workspaces.running_mode", by_user["alice"], "pass"),
        ("workspaces.running_mode", by_user["bob"], "fail"),
        # moto cannot enable RADIUS or SAML: the directory allows password-only sign-in
        ("workspaces.directory_mfa", directory, "fail"),
        # moto has no AppStream: the listing fails (500) and the control must say error
        ("appstream.data_transfer", ACCOUNT, "error"),
    ]
