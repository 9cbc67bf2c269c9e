# Sourced by the build scripts. Debian's emcc runs its JS optimizer with the system Node and needs
# Debian's node modules (acorn) on NODE_PATH, or it fails with "Cannot find module 'acorn'".
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
export JOBS=${JOBS:-$(nproc)}
