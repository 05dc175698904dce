/* global db -- mongosh provides the connected database */
// Runs once, when the mongo image initialises an empty data volume (as the root user it creates).
// Each service gets its own database user, limited to its own database; the ops user (db-setup:
// validators and indexes, DLQ replay, drift audit) administers both. Passwords come from the
// environment the compose file passes in, never from this file.
function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

db.getSiblingDB('users').createUser({
  user: 'users-service',
  pwd: required('USERS_DB_PASSWORD'),
  roles: [{ role: 'readWrite', db: 'users' }],
});

db.getSiblingDB('orders').createUser({
  user: 'orders-service',
  pwd: required('ORDERS_DB_PASSWORD'),
  roles: [{ role: 'readWrite', db: 'orders' }],
});

db.getSiblingDB('admin').createUser({
  user: 'ops',
  pwd: required('OPS_DB_PASSWORD'),
  roles: [
    { role: 'readWrite', db: 'users' },
    { role: 'dbAdmin', db: 'users' },
    { role: 'readWrite', db: 'orders' },
    { role: 'dbAdmin', db: 'orders' },
  ],
});
