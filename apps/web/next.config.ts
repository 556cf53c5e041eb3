import type { NextConfig } from "next";

const config: NextConfig = {
  // Internal packages ship TypeScript source (create-t3-turbo style).
  transpilePackages: ["@alfred/api", "@alfred/auth", "@alfred/automation", "@alfred/channels", "@alfred/core", "@alfred/crm", "@alfred/db"],
  // Native or Node-only modules stay outside the server bundle.
  serverExternalPackages: ["argon2", "pg", "ioredis", "bullmq", "pino", "undici", "nodemailer"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;
