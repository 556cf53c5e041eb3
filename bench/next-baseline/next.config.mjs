/** The same production settings as apps/web where they touch a route handler. */
export default { poweredByHeader: false };
