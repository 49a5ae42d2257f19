"""A gRPC reflection client that has no chaosnet proto and no chaosnet package:
it lists the services, fetches the API's descriptors from the daemon, and calls
GetInfo with messages built from them. Prints JSON.

    reflection_client.py SERVER [CA CERT KEY]
"""

import importlib.util
import json
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

import reflection_v1alpha_pb2 as reflection
import reflection_v1alpha_pb2_grpc as reflection_grpc

if importlib.util.find_spec("chaosnet") is not None:
    sys.exit("this client must not see the chaosnet package")


def channel_to(argv):
    if len(argv) == 1:
        return grpc.insecure_channel(argv[0])
    server, ca, cert, key = argv
    files = [open(p, "rb").read() for p in (ca, key, cert)]
    return grpc.secure_channel(server, grpc.ssl_channel_credentials(*files),
                               options=[("grpc.ssl_target_name_override", "localhost")])


def ask(stub, **request):
    responses = stub.ServerReflectionInfo(iter([reflection.ServerReflectionRequest(**request)]),
                                          timeout=10)
    response = next(responses)
    if response.HasField("error_response"):
        raise SystemExit(f"reflection error: {response.error_response.error_message}")
    return response


def pool_of(files):
    """A descriptor pool holding the serialized files, added dependencies first."""
    pending = {}
    for data in files:
        proto = descriptor_pb2.FileDescriptorProto.FromString(data)
        pending[proto.name] = proto
    pool, added = descriptor_pool.DescriptorPool(), set()
    while pending:
        ready = [n for n, p in pending.items() if set(p.dependency) <= added]
        if not ready:
            raise SystemExit(f"unresolvable dependencies among {sorted(pending)}")
        for name in ready:
            pool.Add(pending.pop(name))
            added.add(name)
    return pool


def main():
    channel = channel_to(sys.argv[1:])
    stub = reflection_grpc.ServerReflectionStub(channel)
    services = [s.name for s in ask(stub, list_services="*").list_services_response.service]
    files = ask(stub, file_containing_symbol="chaosnet.v1.FaultService")
    pool = pool_of(files.file_descriptor_response.file_descriptor_proto)
    service = pool.FindServiceByName("chaosnet.v1.FaultService")
    get_info = service.methods_by_name["GetInfo"]
    factory = message_factory.MessageFactory(pool)
    request_type = factory.GetPrototype(get_info.input_type)
    response_type = factory.GetPrototype(get_info.output_type)
    call = channel.unary_unary(f"/{service.full_name}/{get_info.name}",
                               request_serializer=request_type.SerializeToString,
                               response_deserializer=response_type.FromString)
    info = call(request_type(), timeout=10)
    print(json.dumps({
        "services": services,
        "methods": [m.name for m in service.methods],
        "files": sorted(pool_file for pool_file in
                        (descriptor_pb2.FileDescriptorProto.FromString(f).name
                         for f in files.file_descriptor_response.file_descriptor_proto)),
        "version": info.version,
        "caller": info.caller,
        "read_only": info.caller_read_only,
    }))


if __name__ == "__main__":
    main()
