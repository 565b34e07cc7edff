import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readSnapshot } from '../../src/snapshot/read.ts';
import { computeTrace } from '../../src/cli/trace-run.ts';
import type { Trace } from '../../src/model/index.ts';
import { projectRoot } from '../support/corpus.ts';

/**
 * Every example snapshot's scenario, traced through the real parsers and engine: the whole hop sequence
 * (component, netns, action), the legs, the verdict, the findings and how many alternatives were found.
 * `~` marks an inferred hop.
 */
interface Scenario {
  example: string;
  source: string;
  destination: string;
  verdict: Trace['verdict'];
  legs: string[];
  hops: string[];
  findings: string[];
  alternatives: number;
}

const SCENARIOS: Scenario[] = [
  {
    example: 'ambient-1.18-sleep-to-sidecar-httpbin',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'delivered',
    legs: [
      'tcp sleep-6c4d9f7b8-x2x9q (sleep) \u2192 ztunnel-ax7k2 (ztunnel)',
      'tcp ztunnel-ax7k2 (ztunnel) \u2192 httpbin-7d8f6c9b5-4kq2m (sidecar)',
      'tcp httpbin-7d8f6c9b5-4kq2m (sidecar) \u2192 httpbin-7d8f6c9b5-4kq2m (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-6c4d9f7b8-x2x9q | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-6c4d9f7b8-x2x9q | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-6c4d9f7b8-x2x9q | transmit to node:node-a',
      'kernel node:node-a | MARK --set-xmark 0x100/0x100',
      'kernel node:node-a | ACCEPT',
      'kernel node:node-a | forward via 192.168.127.2 dev istioout',
      'kernel node:node-a | ACCEPT',
      'kernel node:node-a | encapsulate to 10.244.1.3:6081, decapsulate on pistioout',
      'kernel pod:istio-system/ztunnel-ax7k2 | TPROXY to 127.0.0.1:15001 mark 0x400/0xfff',
      'kernel pod:istio-system/ztunnel-ax7k2 | local delivery (0.0.0.0/0 dev lo)',
      'ztunnel pod:istio-system/ztunnel-ax7k2 | accept connection (original destination 10.96.120.7:8000)',
      'ztunnel pod:istio-system/ztunnel-ax7k2 | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:istio-system/ztunnel-ax7k2 | forward via 10.244.1.1 dev eth0',
      'kernel pod:istio-system/ztunnel-ax7k2 | transmit to node:node-a',
      'kernel node:node-a | MARK --set-xmark 0x210/0x210',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | CONNMARK --save-mark --nfmask 0x210 --ctmask 0x210',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth4d79c818',
      'kernel node:node-b | transmit to pod:default/httpbin-7d8f6c9b5-4kq2m',
      'kernel pod:default/httpbin-7d8f6c9b5-4kq2m | REDIRECT to port 15006',
      'kernel pod:default/httpbin-7d8f6c9b5-4kq2m | local delivery (10.244.2.7/32 dev eth0)',
      'sidecar pod:default/httpbin-7d8f6c9b5-4kq2m | accept connection (original destination 10.244.2.7:80)',
      'sidecar pod:default/httpbin-7d8f6c9b5-4kq2m | deliver to 10.244.2.7:80',
      'kernel pod:default/httpbin-7d8f6c9b5-4kq2m | local delivery (10.244.2.7/32 dev eth0)',
      'app pod:default/httpbin-7d8f6c9b5-4kq2m | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'ambient-1.18-sidecar-sleep-to-ambient',
    source: 'sleep',
    destination: 'httpbin.foo',
    verdict: 'delivered',
    legs: [
      'tcp sleep-7b9f8c6d5-p8wzt (sleep) \u2192 sleep-7b9f8c6d5-p8wzt (sidecar)',
      'hbone sleep-7b9f8c6d5-p8wzt (sidecar) \u2192 ztunnel-bx7k2 (ztunnel)',
      'tcp ztunnel-bx7k2 (ztunnel) \u2192 httpbin-5c8d7f9b6-l2v7n (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-7b9f8c6d5-p8wzt | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | REDIRECT to port 15001',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | local delivery (127.0.0.1/32 dev lo)',
      'sidecar pod:default/sleep-7b9f8c6d5-p8wzt | accept connection (original destination 10.96.120.7:8000)',
      'sidecar pod:default/sleep-7b9f8c6d5-p8wzt | HBONE CONNECT 10.244.2.7:80 via 10.244.2.7:15008',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via 192.168.126.2 dev istioin',
      'kernel node:node-b | encapsulate to 10.244.2.3:6081, decapsulate on pistioin',
      'kernel pod:istio-system/ztunnel-bx7k2 | TPROXY to 127.0.0.1:15008 mark 0x400/0xfff',
      'kernel pod:istio-system/ztunnel-bx7k2 | local delivery (0.0.0.0/0 dev lo)',
      'ztunnel pod:istio-system/ztunnel-bx7k2 | accept HBONE connection (original destination 10.244.2.7:15008)',
      'ztunnel pod:istio-system/ztunnel-bx7k2 | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:istio-system/ztunnel-bx7k2 | forward via 10.244.2.1 dev eth0',
      'kernel pod:istio-system/ztunnel-bx7k2 | transmit to node:node-b',
      'kernel node:node-b | MARK --set-xmark 0x210/0x210',
      'kernel node:node-b | forward via direct dev veth6c9cf62c',
      'kernel node:node-b | CONNMARK --save-mark --nfmask 0x210 --ctmask 0x210',
      'kernel node:node-b | transmit to pod:foo/httpbin-5c8d7f9b6-l2v7n',
      'kernel pod:foo/httpbin-5c8d7f9b6-l2v7n | local delivery (10.244.2.7/32 dev eth0)',
      'app pod:foo/httpbin-5c8d7f9b6-l2v7n | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'ambient-1.18-sidecar-sleep-to-ambient',
    source: 'sleep',
    destination: 'helloworld.foo',
    verdict: 'delivered',
    legs: [
      'tcp sleep-7b9f8c6d5-p8wzt (sleep) \u2192 sleep-7b9f8c6d5-p8wzt (sidecar)',
      'hbone sleep-7b9f8c6d5-p8wzt (sidecar) \u2192 helloworld-istio-waypoint-6d9c8b7f5-zq4xr (waypoint)',
      'hbone helloworld-istio-waypoint-6d9c8b7f5-zq4xr (waypoint) \u2192 ztunnel-dx7k2 (ztunnel)',
      'tcp ztunnel-dx7k2 (ztunnel) \u2192 helloworld-v1-77cb56d4b4-mvk8s (helloworld)'
    ],
    hops: [
      'app pod:default/sleep-7b9f8c6d5-p8wzt | connect() to 10.96.88.21:5000',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | REDIRECT to port 15001',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | local delivery (127.0.0.1/32 dev lo)',
      'sidecar pod:default/sleep-7b9f8c6d5-p8wzt | accept connection (original destination 10.96.88.21:5000)',
      'sidecar pod:default/sleep-7b9f8c6d5-p8wzt | HBONE CONNECT 10.244.4.6:5000 via 10.244.3.4:15008',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-7b9f8c6d5-p8wzt | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.4 dev eth0',
      'kernel node:node-a | transmit to node:node-c',
      'kernel node:node-c | forward via direct dev vethd1ce5c13',
      'kernel node:node-c | transmit to pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr',
      'kernel pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr | local delivery (10.244.3.4/32 dev eth0)',
      'waypoint pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr | accept HBONE connection (original destination 10.244.3.4:15008)',
      'waypoint pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr | HBONE CONNECT 10.244.4.6:5000 via 10.244.4.6:15008',
      'kernel pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr | forward via 10.244.3.1 dev eth0',
      'kernel pod:foo/helloworld-istio-waypoint-6d9c8b7f5-zq4xr | transmit to node:node-c',
      'kernel node:node-c | forward via 172.18.0.5 dev eth0',
      'kernel node:node-c | transmit to node:node-d',
      'kernel node:node-d | forward via 192.168.126.2 dev istioin',
      'kernel node:node-d | encapsulate to 10.244.4.3:6081, decapsulate on pistioin',
      'kernel pod:istio-system/ztunnel-dx7k2 | TPROXY to 127.0.0.1:15008 mark 0x400/0xfff',
      'kernel pod:istio-system/ztunnel-dx7k2 | local delivery (0.0.0.0/0 dev lo)',
      'ztunnel pod:istio-system/ztunnel-dx7k2 | accept HBONE connection (original destination 10.244.4.6:15008)',
      'ztunnel pod:istio-system/ztunnel-dx7k2 | connect 10.244.4.6:5000 (plaintext)',
      'kernel pod:istio-system/ztunnel-dx7k2 | forward via 10.244.4.1 dev eth0',
      'kernel pod:istio-system/ztunnel-dx7k2 | transmit to node:node-d',
      'kernel node:node-d | MARK --set-xmark 0x210/0x210',
      'kernel node:node-d | forward via direct dev veth1c2cae7a',
      'kernel node:node-d | CONNMARK --save-mark --nfmask 0x210 --ctmask 0x210',
      'kernel node:node-d | transmit to pod:foo/helloworld-v1-77cb56d4b4-mvk8s',
      'kernel pod:foo/helloworld-v1-77cb56d4b4-mvk8s | local delivery (10.244.4.6/32 dev eth0)',
      'app pod:foo/helloworld-v1-77cb56d4b4-mvk8s | accept connection (original destination 10.244.4.6:5000)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'ambient-1.24-inpod',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'delivered',
    legs: [
      'tcp sleep-5d8c9f6b7-h4tjw (sleep) \u2192 sleep-5d8c9f6b7-h4tjw (ztunnel)',
      'hbone sleep-5d8c9f6b7-h4tjw (ztunnel) \u2192 httpbin-6f4c5d8b9-8rx7p (ztunnel)',
      'tcp httpbin-6f4c5d8b9-8rx7p (ztunnel) \u2192 httpbin-6f4c5d8b9-8rx7p (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-5d8c9f6b7-h4tjw | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | REDIRECT to port 15001',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | accept connection (original destination 10.96.120.7:8000)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | HBONE CONNECT 10.244.2.7:80 via 10.244.2.7:15008',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev vethb7c3f87d',
      'kernel node:node-b | transmit to pod:default/httpbin-6f4c5d8b9-8rx7p',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | local delivery (10.244.2.7/32 dev eth0)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-8rx7p | accept HBONE connection (original destination 10.244.2.7:15008)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-8rx7p | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | local delivery (10.244.2.7/32 dev eth0)',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | ACCEPT',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | CONNMARK --set-xmark 0x111/0xfff',
      'app pod:default/httpbin-6f4c5d8b9-8rx7p | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'ambient-1.24-inpod',
    source: 'sleep',
    destination: 'reviews',
    verdict: 'delivered',
    legs: [
      'tcp sleep-5d8c9f6b7-h4tjw (sleep) \u2192 sleep-5d8c9f6b7-h4tjw (ztunnel)',
      'hbone sleep-5d8c9f6b7-h4tjw (ztunnel) \u2192 waypoint-66b59898f6-q9d2x (waypoint)',
      'hbone waypoint-66b59898f6-q9d2x (waypoint) \u2192 reviews-v1-5b8c9d7f6-w2kmn (ztunnel)',
      'tcp reviews-v1-5b8c9d7f6-w2kmn (ztunnel) \u2192 reviews-v1-5b8c9d7f6-w2kmn (reviews)'
    ],
    hops: [
      'app pod:default/sleep-5d8c9f6b7-h4tjw | connect() to 10.96.55.4:9080',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | REDIRECT to port 15001',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | accept connection (original destination 10.96.55.4:9080)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | HBONE CONNECT 10.96.55.4:9080 via 10.244.1.9:15008 (waypoint)',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | transmit to node:node-a',
      'kernel node:node-a | forward via direct dev vethb60553b1',
      'kernel node:node-a | transmit to pod:default/waypoint-66b59898f6-q9d2x',
      'kernel pod:default/waypoint-66b59898f6-q9d2x | local delivery (10.244.1.9/32 dev eth0)',
      'waypoint pod:default/waypoint-66b59898f6-q9d2x | accept HBONE connection (original destination 10.244.1.9:15008)',
      'waypoint pod:default/waypoint-66b59898f6-q9d2x | HBONE CONNECT 10.244.2.8:9080 via 10.244.2.8:15008',
      'kernel pod:default/waypoint-66b59898f6-q9d2x | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/waypoint-66b59898f6-q9d2x | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth888ae2d3',
      'kernel node:node-b | transmit to pod:default/reviews-v1-5b8c9d7f6-w2kmn',
      'kernel pod:default/reviews-v1-5b8c9d7f6-w2kmn | local delivery (10.244.2.8/32 dev eth0)',
      'ztunnel pod:default/reviews-v1-5b8c9d7f6-w2kmn | accept HBONE connection (original destination 10.244.2.8:15008)',
      'ztunnel pod:default/reviews-v1-5b8c9d7f6-w2kmn | connect 10.244.2.8:9080 (plaintext)',
      'kernel pod:default/reviews-v1-5b8c9d7f6-w2kmn | local delivery (10.244.2.8/32 dev eth0)',
      'kernel pod:default/reviews-v1-5b8c9d7f6-w2kmn | ACCEPT',
      'kernel pod:default/reviews-v1-5b8c9d7f6-w2kmn | CONNMARK --set-xmark 0x111/0xfff',
      'app pod:default/reviews-v1-5b8c9d7f6-w2kmn | accept connection (original destination 10.244.2.8:9080)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'ambient-1.21-inpod-tproxy',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'delivered',
    legs: [
      'tcp sleep-6b7f9c8d5-n3vxq (sleep) \u2192 sleep-6b7f9c8d5-n3vxq (ztunnel)',
      'hbone sleep-6b7f9c8d5-n3vxq (ztunnel) \u2192 httpbin-8d6c7f5b9-t5mzr (ztunnel)',
      'tcp httpbin-8d6c7f5b9-t5mzr (ztunnel) \u2192 httpbin-8d6c7f5b9-t5mzr (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-6b7f9c8d5-n3vxq | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-6b7f9c8d5-n3vxq | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-6b7f9c8d5-n3vxq | REDIRECT to port 15001',
      'kernel pod:default/sleep-6b7f9c8d5-n3vxq | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-6b7f9c8d5-n3vxq | accept connection (original destination 10.96.120.7:8000)',
      'ztunnel pod:default/sleep-6b7f9c8d5-n3vxq | HBONE CONNECT 10.244.2.7:80 via 10.244.2.7:15008',
      'kernel pod:default/sleep-6b7f9c8d5-n3vxq | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-6b7f9c8d5-n3vxq | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev vethff968257',
      'kernel node:node-b | transmit to pod:default/httpbin-8d6c7f5b9-t5mzr',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | TPROXY to (destination address):15008 mark 0x111/0xfff',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | local delivery (10.244.2.7/32 dev eth0)',
      'ztunnel pod:default/httpbin-8d6c7f5b9-t5mzr | accept HBONE connection (original destination 10.244.2.7:15008)',
      'ztunnel pod:default/httpbin-8d6c7f5b9-t5mzr | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | local delivery (10.244.2.7/32 dev eth0)',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | ACCEPT',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | CONNMARK --set-xmark 0x111/0xfff',
      'kernel pod:default/httpbin-8d6c7f5b9-t5mzr | ACCEPT',
      'app pod:default/httpbin-8d6c7f5b9-t5mzr | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'sidecar-iptables',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'delivered',
    legs: [
      'tcp sleep-9c7d8b6f5-k2lpx (sleep) \u2192 sleep-9c7d8b6f5-k2lpx (sidecar)',
      'mtls sleep-9c7d8b6f5-k2lpx (sidecar) \u2192 httpbin-5f9b8c7d6-r8qwz (sidecar)',
      'tcp httpbin-5f9b8c7d6-r8qwz (sidecar) \u2192 httpbin-5f9b8c7d6-r8qwz (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-9c7d8b6f5-k2lpx | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-9c7d8b6f5-k2lpx | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-9c7d8b6f5-k2lpx | REDIRECT to port 15001',
      'kernel pod:default/sleep-9c7d8b6f5-k2lpx | local delivery (127.0.0.1/32 dev lo)',
      'sidecar pod:default/sleep-9c7d8b6f5-k2lpx | accept connection (original destination 10.96.120.7:8000)',
      'sidecar pod:default/sleep-9c7d8b6f5-k2lpx | connect 10.244.2.7:80 (mTLS)',
      'kernel pod:default/sleep-9c7d8b6f5-k2lpx | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-9c7d8b6f5-k2lpx | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth7ce7a6e3',
      'kernel node:node-b | transmit to pod:default/httpbin-5f9b8c7d6-r8qwz',
      'kernel pod:default/httpbin-5f9b8c7d6-r8qwz | REDIRECT to port 15006',
      'kernel pod:default/httpbin-5f9b8c7d6-r8qwz | local delivery (10.244.2.7/32 dev eth0)',
      'sidecar pod:default/httpbin-5f9b8c7d6-r8qwz | accept connection (original destination 10.244.2.7:80)',
      'sidecar pod:default/httpbin-5f9b8c7d6-r8qwz | deliver to 10.244.2.7:80',
      'kernel pod:default/httpbin-5f9b8c7d6-r8qwz | local delivery (10.244.2.7/32 dev eth0)',
      'app pod:default/httpbin-5f9b8c7d6-r8qwz | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'sidecar-nftables',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'delivered',
    legs: [
      'tcp sleep-8f6d7c9b5-m4zpt (sleep) \u2192 sleep-8f6d7c9b5-m4zpt (sidecar)',
      'mtls sleep-8f6d7c9b5-m4zpt (sidecar) \u2192 httpbin-6c9d8f7b5-v7nkx (sidecar)',
      'tcp httpbin-6c9d8f7b5-v7nkx (sidecar) \u2192 httpbin-6c9d8f7b5-v7nkx (httpbin)'
    ],
    hops: [
      'app pod:default/sleep-8f6d7c9b5-m4zpt | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-8f6d7c9b5-m4zpt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-8f6d7c9b5-m4zpt | REDIRECT to port 15001',
      'kernel pod:default/sleep-8f6d7c9b5-m4zpt | local delivery (127.0.0.1/32 dev lo)',
      'sidecar pod:default/sleep-8f6d7c9b5-m4zpt | accept connection (original destination 10.96.120.7:8000)',
      'sidecar pod:default/sleep-8f6d7c9b5-m4zpt | connect 10.244.2.7:80 (mTLS)',
      'kernel pod:default/sleep-8f6d7c9b5-m4zpt | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-8f6d7c9b5-m4zpt | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth1dbe37fd',
      'kernel node:node-b | transmit to pod:default/httpbin-6c9d8f7b5-v7nkx',
      'kernel pod:default/httpbin-6c9d8f7b5-v7nkx | REDIRECT to port 15006',
      'kernel pod:default/httpbin-6c9d8f7b5-v7nkx | local delivery (10.244.2.7/32 dev eth0)',
      'sidecar pod:default/httpbin-6c9d8f7b5-v7nkx | accept connection (original destination 10.244.2.7:80)',
      'sidecar pod:default/httpbin-6c9d8f7b5-v7nkx | deliver to 10.244.2.7:80',
      'kernel pod:default/httpbin-6c9d8f7b5-v7nkx | local delivery (10.244.2.7/32 dev eth0)',
      'app pod:default/httpbin-6c9d8f7b5-v7nkx | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'sidecar-to-ambient-waypoint-bypass',
    source: 'sleep.legacy',
    destination: 'reviews.default',
    verdict: 'delivered',
    legs: [
      'tcp sleep-7c8d9b6f5-d3xqv (sleep) \u2192 sleep-7c8d9b6f5-d3xqv (sidecar)',
      'hbone sleep-7c8d9b6f5-d3xqv (sidecar) \u2192 reviews-v1-6d7c8f9b5-b9tnr (ztunnel)',
      'tcp reviews-v1-6d7c8f9b5-b9tnr (ztunnel) \u2192 reviews-v1-6d7c8f9b5-b9tnr (reviews)'
    ],
    hops: [
      'app pod:legacy/sleep-7c8d9b6f5-d3xqv | connect() to 10.96.55.4:9080',
      'kernel pod:legacy/sleep-7c8d9b6f5-d3xqv | forward via 10.244.1.1 dev eth0',
      'kernel pod:legacy/sleep-7c8d9b6f5-d3xqv | REDIRECT to port 15001',
      'kernel pod:legacy/sleep-7c8d9b6f5-d3xqv | local delivery (127.0.0.1/32 dev lo)',
      'sidecar pod:legacy/sleep-7c8d9b6f5-d3xqv | accept connection (original destination 10.96.55.4:9080)',
      'sidecar pod:legacy/sleep-7c8d9b6f5-d3xqv | HBONE CONNECT 10.244.2.8:9080 via 10.244.2.8:15008',
      'kernel pod:legacy/sleep-7c8d9b6f5-d3xqv | forward via 10.244.1.1 dev eth0',
      'kernel pod:legacy/sleep-7c8d9b6f5-d3xqv | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth21945d0c',
      'kernel node:node-b | transmit to pod:default/reviews-v1-6d7c8f9b5-b9tnr',
      'kernel pod:default/reviews-v1-6d7c8f9b5-b9tnr | local delivery (10.244.2.8/32 dev eth0)',
      'ztunnel pod:default/reviews-v1-6d7c8f9b5-b9tnr | accept HBONE connection (original destination 10.244.2.8:15008)',
      'ztunnel pod:default/reviews-v1-6d7c8f9b5-b9tnr | connect 10.244.2.8:9080 (plaintext)',
      'kernel pod:default/reviews-v1-6d7c8f9b5-b9tnr | local delivery (10.244.2.8/32 dev eth0)',
      'kernel pod:default/reviews-v1-6d7c8f9b5-b9tnr | ACCEPT',
      'kernel pod:default/reviews-v1-6d7c8f9b5-b9tnr | CONNMARK --set-xmark 0x111/0xfff',
      'app pod:default/reviews-v1-6d7c8f9b5-b9tnr | accept connection (original destination 10.244.2.8:9080)'
    ],
    findings: [
      'waypoint-bypassed'
    ],
    alternatives: 0,
  },
  {
    example: 'mixed-1.24',
    source: 'sleep',
    destination: 'legacy-app.legacy',
    verdict: 'delivered',
    legs: [
      'tcp sleep-5d8c9f6b7-h4tjw (sleep) \u2192 sleep-5d8c9f6b7-h4tjw (ztunnel)',
      'tcp sleep-5d8c9f6b7-h4tjw (ztunnel) \u2192 legacy-app-7b6c5d9f8-f8gqs (legacy-app)'
    ],
    hops: [
      'app pod:default/sleep-5d8c9f6b7-h4tjw | connect() to 10.96.77.10:8080',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | REDIRECT to port 15001',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | accept connection (original destination 10.96.77.10:8080)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | connect 10.244.2.20:8080 (plaintext)',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth0bc7062a',
      'kernel node:node-b | transmit to pod:legacy/legacy-app-7b6c5d9f8-f8gqs',
      'kernel pod:legacy/legacy-app-7b6c5d9f8-f8gqs | local delivery (10.244.2.20/32 dev eth0)',
      'app pod:legacy/legacy-app-7b6c5d9f8-f8gqs | accept connection (original destination 10.244.2.20:8080)'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'mixed-1.24',
    source: 'client.legacy',
    destination: 'httpbin.default',
    verdict: 'delivered',
    legs: [
      'tcp client-5f6d7c8b9-j7rtx (client) \u2192 httpbin-6f4c5d8b9-8rx7p (ztunnel)',
      'tcp httpbin-6f4c5d8b9-8rx7p (ztunnel) \u2192 httpbin-6f4c5d8b9-8rx7p (httpbin)'
    ],
    hops: [
      'app pod:legacy/client-5f6d7c8b9-j7rtx | connect() to 10.96.120.7:8000',
      'kernel pod:legacy/client-5f6d7c8b9-j7rtx | forward via 10.244.1.1 dev eth0',
      'kernel pod:legacy/client-5f6d7c8b9-j7rtx | transmit to node:node-a',
      'kernel node:node-a | DNAT to 10.244.2.7:80',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev vethb7c3f87d',
      'kernel node:node-b | transmit to pod:default/httpbin-6f4c5d8b9-8rx7p',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | REDIRECT to port 15006',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | local delivery (10.244.2.7/32 dev eth0)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-8rx7p | accept connection (original destination 10.244.2.7:80)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-8rx7p | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | local delivery (10.244.2.7/32 dev eth0)',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | ACCEPT',
      'kernel pod:default/httpbin-6f4c5d8b9-8rx7p | CONNMARK --set-xmark 0x111/0xfff',
      'app pod:default/httpbin-6f4c5d8b9-8rx7p | accept connection (original destination 10.244.2.7:80)'
    ],
    findings: [],
    alternatives: 1,
  },
  {
    example: 'mixed-1.24',
    source: 'sleep',
    destination: 'postgres.legacy',
    verdict: 'dropped',
    legs: [
      'tcp sleep-5d8c9f6b7-h4tjw (sleep) \u2192 sleep-5d8c9f6b7-h4tjw (ztunnel)',
      'tcp sleep-5d8c9f6b7-h4tjw (ztunnel) \u2192 10.244.2.30:5432 (not reached)'
    ],
    hops: [
      'app pod:default/sleep-5d8c9f6b7-h4tjw | connect() to 10.96.77.20:5432',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | REDIRECT to port 15001',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | accept connection (original destination 10.96.77.20:5432)',
      'ztunnel pod:default/sleep-5d8c9f6b7-h4tjw | connect 10.244.2.30:5432 (plaintext)',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-h4tjw | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev vethc3c49a77',
      'kernel node:node-b | DROP'
    ],
    findings: [],
    alternatives: 0,
  },
  {
    example: 'finding-reply-misrouted',
    source: 'sleep',
    destination: 'httpbin',
    verdict: 'dropped',
    legs: [
      'tcp sleep-5d8c9f6b7-q7vbn (sleep) → sleep-5d8c9f6b7-q7vbn (ztunnel)',
      'hbone sleep-5d8c9f6b7-q7vbn (ztunnel) → httpbin-6f4c5d8b9-c4kxw (ztunnel)',
      'tcp httpbin-6f4c5d8b9-c4kxw (ztunnel) → httpbin-6f4c5d8b9-c4kxw (httpbin)',
      'tcp SYN-ACK of leg 3 httpbin-6f4c5d8b9-c4kxw (httpbin) → httpbin-6f4c5d8b9-c4kxw (ztunnel)'
    ],
    hops: [
      'app pod:default/sleep-5d8c9f6b7-q7vbn | connect() to 10.96.120.7:8000',
      'kernel pod:default/sleep-5d8c9f6b7-q7vbn | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-q7vbn | REDIRECT to port 15001',
      'kernel pod:default/sleep-5d8c9f6b7-q7vbn | local delivery (127.0.0.1/32 dev lo)',
      'ztunnel pod:default/sleep-5d8c9f6b7-q7vbn | accept connection (original destination 10.96.120.7:8000)',
      'ztunnel pod:default/sleep-5d8c9f6b7-q7vbn | HBONE CONNECT 10.244.2.7:80 via 10.244.2.7:15008',
      'kernel pod:default/sleep-5d8c9f6b7-q7vbn | forward via 10.244.1.1 dev eth0',
      'kernel pod:default/sleep-5d8c9f6b7-q7vbn | transmit to node:node-a',
      'kernel node:node-a | forward via 172.18.0.3 dev eth0',
      'kernel node:node-a | transmit to node:node-b',
      'kernel node:node-b | forward via direct dev veth1a7ca107',
      'kernel node:node-b | transmit to pod:default/httpbin-6f4c5d8b9-c4kxw',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | local delivery (10.244.2.7/32 dev eth0)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-c4kxw | accept HBONE connection (original destination 10.244.2.7:15008)',
      'ztunnel pod:default/httpbin-6f4c5d8b9-c4kxw | connect 10.244.2.7:80 (plaintext)',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | local delivery (10.244.2.7/32 dev eth0)',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | ACCEPT',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | CONNMARK --set-xmark 0x111/0xfff',
      'app pod:default/httpbin-6f4c5d8b9-c4kxw | accept connection (original destination 10.244.2.7:80)',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | forward via 10.244.2.1 dev eth0',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | forward via 10.244.2.1 dev eth0',
      'kernel pod:default/httpbin-6f4c5d8b9-c4kxw | transmit to node:node-b',
      'kernel node:node-b | forward via 172.18.0.2 dev eth0',
      'kernel node:node-b | DROP'
    ],
    findings: ['reply-misrouted'],
    alternatives: 0,
  },
];

const quiet = { stdout: () => {}, stderr: () => {}, color: false, env: {} };

async function trace(s: Scenario): Promise<Trace> {
  const snapshot = await readSnapshot(path.join(projectRoot, 'examples', s.example));
  return computeTrace(snapshot, s.source, s.destination, {}, quiet);
}

describe('example scenarios', () => {
  for (const s of SCENARIOS) {
    it(`${s.example}: ${s.source} → ${s.destination}`, async () => {
      const t = await trace(s);
      assert.deepEqual(t.hops.map((h) => `${h.status === 'inferred' ? '~' : ''}${h.component} ${h.netns} | ${h.action}`), s.hops);
      assert.deepEqual(t.legs.map((l) => `${l.protocol}${l.handshake ? ` ${l.handshake.packet} of leg ${l.handshake.leg}` : ''} ${l.from} → ${l.to}`), s.legs);
      assert.equal(t.verdict, s.verdict);
      assert.deepEqual(t.findings.map((f) => f.code), s.findings);
      assert.equal(t.alternatives.length, s.alternatives);
      assert.deepEqual(t.legs.flatMap((l) => l.hops), t.hops.map((h) => h.n), 'every hop belongs to exactly one leg, in order');
    });
  }
});

/** The evidence that decides the reference post's hops, line for line. */
describe('key evidence', () => {
  const evidenceOf = (t: Trace, action: RegExp) => t.hops.find((h) => action.test(h.action))?.evidence.map((e) => `${e.file}:${e.line ?? e.pointer} ${e.text ?? ''}`.trim());

  it('1.18 ambient outbound: ipset mark, fwmark rule and istioout route, TPROXY in ztunnel', async () => {
    const t = await trace(SCENARIOS[0]);
    assert.deepEqual(evidenceOf(t, /MARK --set-xmark 0x100/), ['nodes/node-a/iptables-save.txt:37 -A ztunnel-PREROUTING -p tcp -m set --match-set ztunnel-pods-ips src -j MARK --set-xmark 0x100/0x100']);
    assert.deepEqual(evidenceOf(t, /istioout$/), ['nodes/node-a/ip-rule.json:/2 101: from all fwmark 0x100/0x100 lookup 101', 'nodes/node-a/ip-route.json:/2 default via 192.168.127.2 dev istioout table 101']);
    assert.match(evidenceOf(t, /TPROXY to 127.0.0.1:15001/)?.[0] ?? '', /^pods\/istio-system\/ztunnel-ax7k2\/iptables-save.txt:\d+ -A PREROUTING -i pistioout -p tcp -j TPROXY --on-port 15001 --on-ip 127.0.0.1 --tproxy-mark 0x400\/0xfff$/);
  });

  it('a network policy DROP ends the path with the rule as evidence', async () => {
    const t = await trace(SCENARIOS.find((s) => s.destination === 'postgres.legacy')!);
    assert.equal(t.reason, 'dropped in node:node-b at forward by nodes/node-b/iptables-save.txt:10');
    assert.deepEqual(evidenceOf(t, /^DROP$/), ['nodes/node-b/iptables-save.txt:10 -A FORWARD -d 10.244.2.30/32 -p tcp -m tcp --dport 5432 -m comment --comment "network policy legacy/postgres-deny-all" -j DROP']);
  });

  it('a SYN-ACK that leaves through eth0 is dropped as INVALID where its connection was never tracked', async () => {
    const t = await trace(SCENARIOS.find((s) => s.example === 'finding-reply-misrouted')!);
    assert.equal(t.reason, 'the connection of leg 3 never opens: its SYN-ACK is lost (dropped in node:node-b at forward by nodes/node-b/iptables-save.txt:11)');
    assert.deepEqual(t.legs.at(-1)!.handshake, { leg: 3, packet: 'SYN-ACK' });
    assert.deepEqual(evidenceOf(t, /^CONNMARK --restore-mark/), ['pods/default/httpbin-6f4c5d8b9-c4kxw/iptables-save.txt:12 -A ISTIO_OUTPUT -m connmark --mark 0x111/0xfff -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff']);
    assert.deepEqual(evidenceOf(t, /^DROP$/), ['nodes/node-b/iptables-save.txt:11 -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP']);
  });

  it('the bypassed waypoint is named with the sidecar hop that chose the pod', async () => {
    const t = await trace(SCENARIOS.find((s) => s.example === 'sidecar-to-ambient-waypoint-bypass')!);
    const f = t.findings[0];
    assert.equal(f.message, 'service default/reviews should go through waypoint default/waypoint (istio.io/use-waypoint on service default/reviews), but the path does not go through it: the source legacy/sleep-7c8d9b6f5-d3xqv is a sidecar, and sidecars do not send to waypoints; the source sidecar chose "HBONE CONNECT 10.244.2.8:9080 via 10.244.2.8:15008"');
    assert.deepEqual(f.hops, [6]);
  });
});
