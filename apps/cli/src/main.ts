#!/usr/bin/env node
console.log("mp");
