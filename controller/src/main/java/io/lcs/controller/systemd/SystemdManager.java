package io.lcs.controller.systemd;

import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.types.UInt32;

/**
 * The part of systemd's {@code org.freedesktop.systemd1.Manager} D-Bus interface that lcs uses
 * (see {@code man org.freedesktop.systemd1}). Method names are the D-Bus member names.
 */
@DBusInterfaceName("org.freedesktop.systemd1.Manager")
public interface SystemdManager extends DBusInterface {
    String BUS_NAME = "org.freedesktop.systemd1";
    String OBJECT_PATH = "/org/freedesktop/systemd1";

    /** Enqueues a start job; {@code mode} "replace". Returns the job's object path. */
    DBusPath StartUnit(String name, String mode);

    /** Enqueues a stop job; {@code mode} "replace". Returns the job's object path. */
    DBusPath StopUnit(String name, String mode);

    /** Loads the unit if needed and returns its object path (also for a unit that does not exist: LoadState "not-found"). */
    DBusPath LoadUnit(String name);

    /** Asks systemd to emit job and unit signals to this client (PropertiesChanged, JobRemoved). */
    void Subscribe();

    /** Reloads unit files (daemon-reload), e.g. after writing a runtime drop-in. */
    void Reload();

    /** A job finished: {@code result} is done, canceled, timeout, failed, dependency or skipped. */
    class JobRemoved extends DBusSignal {
        private final long id;
        private final String job;
        private final String unit;
        private final String result;

        public JobRemoved(String path, UInt32 id, DBusPath job, String unit, String result) throws DBusException {
            super(path, id, job, unit, result);
            this.id = id.longValue();
            this.job = job.getPath();
            this.unit = unit;
            this.result = result;
        }

        public long id() {
            return id;
        }

        public String job() {
            return job;
        }

        public String unit() {
            return unit;
        }

        public String result() {
            return result;
        }
    }
}
