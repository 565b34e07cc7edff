#!/usr/bin/env node
import '../dist/istio-path.mjs';
