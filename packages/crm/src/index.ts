export { seedDemoTenant, DEMO_USERS, DEMO_PASSWORDS, DEMO_CHANNELS } from "./seed";
