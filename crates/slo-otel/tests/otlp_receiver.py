"""An OTLP metrics receiver for the tests, independent of our encoder: it
decodes with Google's protobuf (opentelemetry-proto) over gRPC (grpcio) and
HTTP/protobuf, and prints one JSON line per data point on stdout.

usage: otlp_receiver.py GRPC_PORT HTTP_PORT [MODE]

MODE (HTTP only) makes it a bad collector: `429` or `503` answers that
status, `garbage` answers 200 with bytes that are not protobuf.
"""
import json
import sys
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2 as service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2_grpc as service_grpc

lock = threading.Lock()


def value(point):
    which = point.WhichOneof("value")
    return getattr(point, which) if which else None


def emit(request, transport):
    rows = []
    for rm in request.resource_metrics:
        service = next((a.value.string_value for a in rm.resource.attributes if a.key == "service.name"), "")
        for sm in rm.scope_metrics:
            for metric in sm.metrics:
                kind = metric.WhichOneof("data")
                data = getattr(metric, kind)
                for point in data.data_points:
                    row = {
                        "transport": transport,
                        "service": service,
                        "name": metric.name,
                        "unit": metric.unit,
                        "kind": kind,
                        "attrs": {a.key: a.value.string_value for a in point.attributes},
                    }
                    if kind == "sum":
                        row.update(value=value(point), cumulative=data.aggregation_temporality == 2,
                                   monotonic=data.is_monotonic)
                    elif kind == "gauge":
                        row.update(value=value(point))
                    elif kind == "histogram":
                        row.update(count=point.count, sum=point.sum, bounds=list(point.explicit_bounds),
                                   counts=list(point.bucket_counts), cumulative=data.aggregation_temporality == 2)
                    rows.append(row)
    with lock:
        for row in rows:
            print(json.dumps(row), flush=True)
        print(json.dumps({"transport": transport, "export": len(rows)}), flush=True)


class Metrics(service_grpc.MetricsServiceServicer):
    def Export(self, request, context):
        emit(request, "grpc")
        return service_pb2.ExportMetricsServiceResponse()


MODE = sys.argv[3] if len(sys.argv) > 3 else "ok"


class Http(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if MODE in ("429", "503"):
            print(json.dumps({"transport": "http", "refused": int(MODE)}), flush=True)
            self.send_response(int(MODE))
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if MODE == "garbage":
            print(json.dumps({"transport": "http", "garbage": True}), flush=True)
            junk = bytes(range(256)) * 4
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(junk)))
            self.end_headers()
            self.wfile.write(junk)
            return
        request = service_pb2.ExportMetricsServiceRequest()
        request.ParseFromString(body)
        emit(request, "http")
        answer = service_pb2.ExportMetricsServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def main():
    grpc_port, http_port = int(sys.argv[1]), int(sys.argv[2])
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    service_grpc.add_MetricsServiceServicer_to_server(Metrics(), server)
    server.add_insecure_port(f"127.0.0.1:{grpc_port}")
    server.start()
    http = ThreadingHTTPServer(("127.0.0.1", http_port), Http)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    print(json.dumps({"ready": True}), flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
