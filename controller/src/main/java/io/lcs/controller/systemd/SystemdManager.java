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

    /** The jobs systemd has queued or running. */
    java.util.List<QueuedJob> ListJobs();

    /** One entry of {@link #ListJobs}: {@code (usssoo)}. */
    class QueuedJob extends org.freedesktop.dbus.Struct {
        @org.freedesktop.dbus.annotations.Position(0)
        public final UInt32 id;
        @org.freedesktop.dbus.annotations.Position(1)
        public final String unit;
        @org.freedesktop.dbus.annotations.Position(2)
        public final String type;
        @org.freedesktop.dbus.annotations.Position(3)
        public final String state;
        @org.freedesktop.dbus.annotations.Position(4)
        public final DBusPath job;
        @org.freedesktop.dbus.annotations.Position(5)
        public final DBusPath unitPath;

        public QueuedJob(UInt32 id, String unit, String type, String state, DBusPath job, DBusPath unitPath) {
            this.id = id;
            this.unit = unit;
            this.type = type;
            this.state = state;
            this.job = job;
            this.unitPath = unitPath;
        }
    }

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
